/**
 * The sequential session, as on Lambda (on-demand): one runtime client process, one invocation at
 * a time. The fake Runtime API answers `/next` with the next event, takes the response or error
 * for the invocation in flight, and kills the process (as Lambda stops the environment) when an
 * invocation is still unanswered past its deadline; the next event then goes to a new process, a
 * cold start.
 */
import { randomUUID } from "node:crypto";
import {
  accepted,
  otherRuntimeRequest,
  RESULT_URL,
  runtimeApiServer,
  unknownRequestId,
} from "./runtime-api.mjs";
import { runtimeEnv, spawnRuntime } from "./runtime-process.mjs";
import { sessionLifecycle } from "./session-lifecycle.mjs";
import { GAP_MS, KILL_GRACE_MS } from "./settings.mjs";

/**
 * Runs `specs` through `fn` under the RIC with the given log format; resolves with the session's
 * record (invocations, stdout and stderr lines, exits, stray calls) for checks.mjs.
 *
 * @example
 * const session = await runSession({ fn, dir: fn.dir, format: "JSON", specs, extraEnv, label: "",
 *   findings, livePids });
 */
export function runSession({ fn, dir, format, specs, extraEnv, label, findings, livePids }) {
  return new Promise((resolveSession) => {
    const session = {
      fn,
      format,
      label,
      invocations: [],
      stdout: [],
      stderr: [],
      initErrors: [],
      exits: [],
      strayPosts: [],
      children: 0,
    };
    const queue = [...specs];
    let current; // the invocation most recently issued to the current child
    let waitingNext;
    const sockets = new Set();

    const server = runtimeApiServer(route, sockets);
    const life = sessionLifecycle({
      session,
      queue,
      server,
      sockets,
      resolveSession,
      name: `${format} ${fn.key}${label ? ` ${label}` : ""}`,
      findings,
      spawn(childNo) {
        current = undefined;
        const env = runtimeEnv(fn, dir, server, extraEnv, {
          AWS_LAMBDA_LOG_FORMAT: format,
          AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        });
        return spawnRuntime(env, dir, session, childNo, () => current?.id ?? "init", livePids);
      },
      onExit(exit) {
        session.exits.push({ ...exit, during: current });
        if (current !== undefined && current.outcome === "pending") {
          current.outcome = exit.byHarness ? "killed" : "crashed";
          current.doneAt = Date.now();
          clearTimeout(current.watchdog);
        }
      },
    });

    function route(req, res, body) {
      const url = req.url ?? "";
      if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
        waitingNext = res;
        setTimeout(dispatch, GAP_MS);
        return;
      }
      const m = RESULT_URL.exec(url);
      if (req.method === "POST" && m !== null) {
        const id = decodeURIComponent(m[1]);
        const inv = session.invocations.find((i) => i.id === id);
        if (inv === undefined || inv.outcome !== "pending") {
          unknownRequestId(session, id, m[2], body, res);
          return;
        }
        inv.outcome = m[2];
        inv.doneAt = Date.now();
        inv.body = body;
        inv.errorType = req.headers["lambda-runtime-function-error-type"];
        clearTimeout(inv.watchdog);
        accepted(res);
        return;
      }
      otherRuntimeRequest(session, req, url, res, body);
    }

    function dispatch() {
      if (life.isFinished() || waitingNext === undefined) return;
      const res = waitingNext;
      const spec = queue.shift();
      if (spec === undefined) {
        life.finish();
        return;
      }
      waitingNext = undefined;
      const now = Date.now();
      const deadline = now + (spec.deadlineOffset ?? fn.timeoutS * 1000);
      const inv = {
        id: randomUUID(),
        spec,
        issuedAt: now,
        deadline,
        outcome: "pending",
        child: session.children,
        firstOfChild: current === undefined,
      };
      session.invocations.push(inv);
      current = inv;
      const headers = {
        "content-type": "application/json",
        "lambda-runtime-aws-request-id": inv.id,
        "lambda-runtime-deadline-ms": String(deadline),
        "lambda-runtime-invoked-function-arn": `arn:aws:lambda:${fn.region}:123456789012:function:${fn.name}`,
      };
      if (spec.trace !== undefined) headers["lambda-runtime-trace-id"] = spec.trace.header;
      const body = spec.raw ?? JSON.stringify(spec.payload);
      res.writeHead(200, headers);
      res.end(body);
      // Lambda stops the environment at the deadline; give the process a little grace, then kill.
      inv.watchdog = setTimeout(
        () => {
          if (inv.outcome !== "pending") return;
          inv.outcome = "killed";
          inv.doneAt = Date.now();
          life.kill("SIGKILL");
        },
        Math.max(deadline, now) - now + KILL_GRACE_MS,
      );
    }

    server.listen(0, "127.0.0.1", life.start);
  });
}
