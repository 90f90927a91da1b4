/**
 * The Managed Instances session: one runtime client process with AWS_LAMBDA_MAX_CONCURRENCY set,
 * several invocations in flight at once.
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
import { KILL_GRACE_MS, MI_WORKERS } from "./settings.mjs";

/**
 * Lambda Managed Instances: one process, AWS_LAMBDA_MAX_CONCURRENCY set, and the RIC in its
 * multi-concurrent mode (worker threads, each looping `next` and starting every invocation with
 * setImmediate inside InvokeStore.run). This fake Runtime API holds any number of pending `next`
 * requests, answers each with its own event, request id and trace header as long as fewer than
 * `maxConcurrency` invocations are in flight, and takes a response or an error for any id in flight.
 * Managed Instances do not stop the environment at a deadline: an invocation still unanswered at
 * its deadline (plus grace) is recorded as unanswered and the process is left running.
 *
 * @example
 * const session = await runConcurrentSession({ fn, dir: fn.dir, specs, extraEnv, label,
 *   maxConcurrency: 8, findings, livePids });
 * session.maxInFlight; // the most invocations that were in flight at once
 */
export function runConcurrentSession({
  fn,
  dir,
  specs,
  extraEnv,
  label,
  maxConcurrency,
  findings,
  livePids,
}) {
  return new Promise((resolveSession) => {
    const session = {
      fn,
      format: "JSON",
      label,
      concurrent: true,
      invocations: [],
      stdout: [],
      stderr: [],
      initErrors: [],
      exits: [],
      strayPosts: [],
      children: 0,
      maxInFlight: 0,
      maxWaitingNext: 0,
      overlapped: 0,
    };
    const queue = [...specs];
    const waiting = []; // pending `next` requests, oldest first
    const pending = new Map(); // id -> invocation in flight
    const sockets = new Set();

    const server = runtimeApiServer(route, sockets);
    const life = sessionLifecycle({
      session,
      queue,
      server,
      sockets,
      resolveSession,
      name: `MI ${fn.key}${label ? ` ${label}` : ""}`,
      findings,
      spawn(childNo) {
        const env = runtimeEnv(fn, dir, server, extraEnv, {
          AWS_LAMBDA_LOG_FORMAT: "JSON",
          AWS_LAMBDA_INITIALIZATION_TYPE: "lambda-managed-instances",
          AWS_LAMBDA_MAX_CONCURRENCY: String(maxConcurrency),
          AWS_LAMBDA_NODEJS_WORKER_COUNT: String(MI_WORKERS),
        });
        // Lines are matched to invocations by the ids they carry, not by when they were read.
        return spawnRuntime(env, dir, session, childNo, () => "concurrent", livePids);
      },
      onExit(exit) {
        const inFlight = [...pending.values()];
        session.exits.push({ ...exit, during: inFlight[0] });
        for (const inv of inFlight) settle(inv, exit.byHarness ? "killed" : "crashed");
      },
    });

    function route(req, res, body) {
      const url = req.url ?? "";
      if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
        waiting.push(res);
        session.maxWaitingNext = Math.max(session.maxWaitingNext, waiting.length);
        res.on("close", () => {
          const at = waiting.indexOf(res);
          if (at >= 0) waiting.splice(at, 1);
        });
        setImmediate(pump);
        return;
      }
      const m = RESULT_URL.exec(url);
      if (req.method === "POST" && m !== null) {
        const id = decodeURIComponent(m[1]);
        const inv = pending.get(id);
        if (inv === undefined) {
          unknownRequestId(session, id, m[2], body, res);
          return;
        }
        settle(inv, m[2]);
        inv.body = body;
        inv.errorType = req.headers["lambda-runtime-function-error-type"];
        accepted(res);
        setImmediate(pump);
        return;
      }
      otherRuntimeRequest(session, req, url, res, body);
    }

    function settle(inv, outcome) {
      inv.outcome = outcome;
      inv.doneAt = Date.now();
      inv.inFlightAtEnd = pending.size;
      clearTimeout(inv.watchdog);
      pending.delete(inv.id);
    }

    /** Issues queued events to waiting `next` requests while the concurrency limit allows. */
    function pump() {
      if (life.isFinished()) return;
      while (waiting.length > 0 && pending.size < maxConcurrency && queue.length > 0) {
        issue(waiting.shift(), queue.shift());
      }
      if (queue.length === 0 && pending.size === 0) life.finish();
    }

    function issue(res, spec) {
      const now = Date.now();
      const deadline = now + fn.timeoutS * 1000;
      const inv = {
        id: randomUUID(),
        spec,
        issuedAt: now,
        deadline,
        outcome: "pending",
        child: session.children,
        // AWS_LAMBDA_INITIALIZATION_TYPE is lambda-managed-instances: no caller waits for init.
        firstOfChild: false,
      };
      session.invocations.push(inv);
      pending.set(inv.id, inv);
      inv.inFlightAtStart = pending.size;
      session.maxInFlight = Math.max(session.maxInFlight, pending.size);
      if (pending.size > 1) session.overlapped += 1;
      const headers = {
        "content-type": "application/json",
        "lambda-runtime-aws-request-id": inv.id,
        "lambda-runtime-deadline-ms": String(deadline),
        "lambda-runtime-invoked-function-arn": `arn:aws:lambda:${fn.region}:123456789012:function:${fn.name}`,
        "lambda-runtime-trace-id": spec.trace.header,
      };
      res.writeHead(200, headers);
      res.end(JSON.stringify(spec.payload));
      inv.watchdog = setTimeout(
        () => {
          if (inv.outcome !== "pending") return;
          settle(inv, "killed");
          setImmediate(pump);
        },
        deadline - now + KILL_GRACE_MS,
      );
    }

    server.listen(0, "127.0.0.1", life.start);
  });
}
