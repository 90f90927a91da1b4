/**
 * What both sessions do alike around the runtime client: start it, restart it after it exits
 * while events remain, stop the session at its time limit, and end it once (the client, the
 * watchdogs, the sockets, the server).
 */
import { killGroup } from "./runtime-process.mjs";
import { MAX_RESTARTS, SESSION_LIMIT_MS } from "./settings.mjs";

/** Ends a session: the runtime client (TERM, then KILL), the watchdogs, the sockets, the server. */
function endSession(session, currentChild, killChild, server, sockets, resolveSession) {
  setTimeout(async () => {
    const last = currentChild();
    if (last?.exitCode === null && last?.signalCode === null) {
      killChild("SIGTERM");
      const hard = setTimeout(() => killChild("SIGKILL"), 2000);
      await session.closedChild;
      clearTimeout(hard);
    }
    for (const inv of session.invocations) clearTimeout(inv.watchdog);
    for (const socket of sockets) socket.destroy();
    server.close(() => resolveSession(session));
  }, 100);
}

/**
 * What both sessions do alike around the runtime client: start it (`spawn(childNo)`), let
 * `onExit` settle what it had in flight when it exits, restart it while events remain (at most
 * MAX_RESTARTS times), stop the session after SESSION_LIMIT_MS (a violation), and end it once.
 *
 * @example
 * const life = sessionLifecycle({ session, queue, server, sockets, resolveSession, name, findings,
 *   spawn: (childNo) => spawnRuntime(env, dir, session, childNo, owner, livePids),
 *   onExit: (exit) => session.exits.push(exit) });
 * server.listen(0, "127.0.0.1", life.start);
 */
export function sessionLifecycle({
  session,
  queue,
  server,
  sockets,
  resolveSession,
  name,
  findings,
  spawn,
  onExit,
}) {
  let child;
  let killedByUs = false;
  let finished = false;
  let restarts = 0;
  const life = {
    isFinished: () => finished,
    start() {
      session.children += 1;
      killedByUs = false;
      const childNo = session.children;
      const { child: thisChild, closed } = spawn(childNo);
      child = thisChild;
      thisChild.on("exit", (code, signal) => {
        onExit({ child: childNo, code, signal, byHarness: killedByUs });
        closed.then(() => {
          if (finished) return;
          if (queue.length > 0 && restarts < MAX_RESTARTS) {
            restarts += 1;
            life.start();
          } else {
            life.finish();
          }
        });
      });
    },
    kill(signal) {
      if (killGroup(child, signal)) killedByUs = true;
    },
    finish() {
      if (finished) return;
      finished = true;
      clearTimeout(sessionTimer);
      endSession(session, () => child, life.kill, server, sockets, resolveSession);
    },
  };
  const sessionTimer = setTimeout(() => {
    findings.violation(name, "session did not finish", `${SESSION_LIMIT_MS} ms`);
    queue.length = 0;
    life.finish();
  }, SESSION_LIMIT_MS);
  return life;
}
