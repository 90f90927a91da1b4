/**
 * The runtime client as a child process: the environment Lambda gives it, starting it in its own
 * process group, reading its stdout and stderr line by line, and signalling it.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { NODE, RIC_PKG, VERBOSE } from "./settings.mjs";

/** Calls `onLine` with each line of a stream, split on "\n" only. */
function eachLine(stream, onLine) {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    buffer += chunk;
    for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
      onLine(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
    }
  });
  stream.on("end", () => {
    if (buffer !== "") onLine(buffer);
  });
}

/**
 * The environment Lambda gives the runtime client, with a session's own variables.
 *
 * @example
 * runtimeEnv(fn, fn.dir, server, { NODE_PATH: sdkPath }, { AWS_LAMBDA_LOG_FORMAT: "JSON" });
 */
export function runtimeEnv(fn, dir, server, extraEnv, sessionEnv) {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    ...fn.env,
    ...extraEnv,
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${server.address().port}`,
    LAMBDA_TASK_ROOT: dir,
    LAMBDA_RUNTIME_DIR: RIC_PKG,
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime ?? "nodejs22.x"}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memory),
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `2026/11/25/[$LATEST]${randomUUID().replace(/-/g, "")}`,
    ...sessionEnv,
    AWS_REGION: fn.region,
    AWS_DEFAULT_REGION: fn.region,
  };
}

/**
 * Starts the runtime client in its own process group and collects its lines into the session,
 * each tagged with `owner()` at the time it is read. `closed` settles once the process has exited
 * and both streams are drained; the session keeps it as `closedChild`.
 * `livePids` holds the pids alive now, so that a Ctrl-C or a give-up can stop them.
 *
 * @example
 * const { child, closed } = spawnRuntime(env, fn.dir, session, 1, () => current?.id, livePids);
 */
export function spawnRuntime(env, dir, session, childNo, owner, livePids) {
  const child = spawn(NODE, [join(RIC_PKG, "index.mjs")], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  livePids.add(child.pid);
  child.on("exit", () => livePids.delete(child.pid));
  const closed = Promise.all([
    new Promise((ok) => child.on("exit", ok)),
    new Promise((ok) => child.stdout.on("close", ok)),
    new Promise((ok) => child.stderr.on("close", ok)),
  ]);
  // Split on "\n" only: the RIC's text logger turns a message's own newlines into "\r".
  eachLine(child.stdout, (text) => {
    session.stdout.push({ text, owner: owner(), child: childNo, at: Date.now() });
    if (VERBOSE) process.stderr.write(`  out ${text.slice(0, 300)}\n`);
  });
  eachLine(child.stderr, (text) => {
    session.stderr.push({ text, owner: owner(), child: childNo });
    if (VERBOSE) process.stderr.write(`  err ${text.slice(0, 300)}\n`);
  });
  session.closedChild = closed;
  return { child, closed };
}

/**
 * Signals a runtime process group that is still running; true when a signal was attempted.
 *
 * @example
 * if (killGroup(child, "SIGKILL")) killedByUs = true;
 */
export function killGroup(child, signal) {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
  return true;
}
