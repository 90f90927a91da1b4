/**
 * What `nodejs24.x` does with a callback-style handler, under the real runtime client on the Node
 * that runs it: one handler `(event, context, callback)` as it is, and the same handler wrapped by
 * `withVitals` (bundled from functions/vitals with esbuild, as the service's bundles are). Each
 * gets one HTTP API event in a process of its own, with `AWS_EXECUTION_ENV=AWS_Lambda_nodejs24.x`.
 *
 * Expected, from aws-lambda-ric 4: the unwrapped handler never runs. The RIC refuses it while
 * loading the function (a handler that declares three parameters and does not stream), posts an
 * init error `Runtime.CallbackHandlerDeprecated` and asks for no event. The wrapped one is a
 * two-parameter async function, so the RIC takes it; the wrapper calls the callback form itself,
 * answers 200 with the handler's body and writes its one canonical line.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { accepted, otherRuntimeRequest, RESULT_URL, runtimeApiServer } from "./runtime-api.mjs";
import { killGroup, runtimeEnv, spawnRuntime } from "./runtime-process.mjs";
import { ROOT } from "./settings.mjs";

const RUNTIME = "nodejs24.x";
const LIMIT_MS = 30_000;
const CALLBACK_HANDLER = `(event, context, callback) => {
  setTimeout(() => callback(null, { statusCode: 200, body: "called back" }), 5);
}`;

/**
 * Writes both handlers into `work`, runs each under the RIC, checks what happened; resolves with
 * one report row per handler and whether the pass failed.
 *
 * @example
 * const callbacks = await runCallbackPass(run, work);
 * process.stdout.write(callbackSection(callbacks.rows));
 */
export async function runCallbackPass(run, work) {
  const { findings, fixtures, log } = run;
  const unwrapped = join(work, "callback-unwrapped");
  const wrapped = join(work, "callback-wrapped");
  mkdirSync(unwrapped, { recursive: true });
  mkdirSync(wrapped, { recursive: true });
  writeFileSync(join(unwrapped, "index.js"), `exports.handler = ${CALLBACK_HANDLER};\n`);
  const entry = join(wrapped, "entry.mjs");
  writeFileSync(
    entry,
    `import { withVitals } from ${JSON.stringify(join(ROOT, "functions", "vitals", "index.ts"))};\n` +
      `export const handler = withVitals(${CALLBACK_HANDLER}, { service: "callbacks" });\n`,
  );
  await build({
    entryPoints: [entry],
    outfile: join(wrapped, "index.js"),
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node24",
    logLevel: "error",
  });
  const event = fixtures.events.httpApiEvent({ path: "/callbacks", route: "/callbacks" });
  const rows = [];
  let failed = false;
  for (const [label, dir] of [
    ["unwrapped", unwrapped],
    ["withVitals", wrapped],
  ]) {
    log(`callbacks on ${RUNTIME}: ${label}`);
    const session = await runOnce(dir, event, run);
    const problems = label === "unwrapped" ? unwrappedProblems(session) : wrappedProblems(session);
    for (const problem of problems)
      findings.violation(`callbacks ${label}`, problem, summary(session));
    if (problems.length > 0) failed = true;
    rows.push({ label, session, problems });
  }
  return { rows, failed };
}

/**
 * The pass's table: per handler, what the RIC did with it.
 *
 * @example
 * process.stdout.write(callbackSection(callbacks.rows));
 */
export function callbackSection(rows) {
  const lines = [`\n## Callback-style handlers on ${RUNTIME}\n`];
  for (const { label, session, problems } of rows) {
    lines.push(`  ${label.padEnd(11)} ${summary(session)}${problems.length > 0 ? "  ✗" : "  ✓"}\n`);
  }
  return lines.join("");
}

/** The unwrapped handler: refused at init with the RIC's own error, never given an event. */
function unwrappedProblems(session) {
  const problems = [];
  const error = parse(session.initErrors[0]);
  if (error?.errorType !== "Runtime.CallbackHandlerDeprecated") {
    problems.push(
      `expected an init error Runtime.CallbackHandlerDeprecated, got ${session.initErrors[0] ?? "none"}`,
    );
  }
  if (
    !/callback-based function handlers starting with Node\.js 24/.test(error?.errorMessage ?? "")
  ) {
    problems.push("the init error does not say that Node.js 24 removed callback handlers");
  }
  if (session.asked > 0)
    problems.push(`it asked for ${session.asked} event(s) after a failed init`);
  return problems;
}

/** The wrapped handler: answered 200 with the callback's body, and one canonical line. */
function wrappedProblems(session) {
  const problems = [];
  if (session.initErrors.length > 0) problems.push(`init error: ${session.initErrors[0]}`);
  const response = parse(session.response?.body);
  if (
    session.response?.kind !== "response" ||
    response?.statusCode !== 200 ||
    response?.body !== "called back"
  ) {
    problems.push(
      `expected 200 "called back", got ${session.response?.kind ?? "nothing"} ${session.response?.body ?? ""}`,
    );
  }
  const lines = session.stdout.map((l) => parse(l.text)).filter((d) => d?._aws !== undefined);
  if (lines.length !== 1 || lines[0]?.Requests !== 1 || lines[0]?.status !== 200) {
    problems.push(`expected one canonical line with status 200, got ${lines.length} EMF line(s)`);
  }
  return problems;
}

/** One runtime client process, one event at most; ends at the answer, the exit or LIMIT_MS. */
function runOnce(dir, event, run) {
  return new Promise((resolve) => {
    const session = { stdout: [], stderr: [], initErrors: [], strayPosts: [], asked: 0 };
    const sockets = new Set();
    const id = randomUUID();
    let child;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(limit);
      killGroup(child, "SIGKILL");
      const close = () => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve(session));
      };
      session.closedChild.then(close);
    };
    const server = runtimeApiServer((req, res, body) => {
      const url = req.url ?? "";
      if (req.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
        session.asked += 1;
        if (session.asked > 1) return; // one event only: the next /next waits until the end
        res.writeHead(200, {
          "content-type": "application/json",
          "lambda-runtime-aws-request-id": id,
          "lambda-runtime-deadline-ms": String(Date.now() + 10_000),
          "lambda-runtime-invoked-function-arn":
            "arn:aws:lambda:us-east-1:123456789012:function:callbacks",
        });
        res.end(JSON.stringify(event));
        return;
      }
      const m = RESULT_URL.exec(url);
      if (req.method === "POST" && m !== null) {
        session.response = { kind: m[2], body };
        accepted(res);
        setTimeout(finish, 100); // the line the wrapper writes after answering is read too
        return;
      }
      otherRuntimeRequest(session, req, url, res, body);
    }, sockets);
    const limit = setTimeout(finish, LIMIT_MS);
    server.listen(0, "127.0.0.1", () => {
      const fn = {
        name: "callbacks",
        handler: "index.handler",
        runtime: RUNTIME,
        memory: 256,
        region: "us-east-1",
        env: {},
      };
      const env = runtimeEnv(fn, dir, server, run.baseEnv({ externalSdk: [] }), {
        AWS_LAMBDA_LOG_FORMAT: "Text",
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
      });
      ({ child } = spawnRuntime(env, dir, session, 1, () => id, run.livePids));
      child.on("exit", (code, signal) => {
        session.exit = { code, signal };
        setTimeout(finish, 100);
      });
    });
  });
}

function summary(session) {
  const init = parse(session.initErrors[0]);
  const answer =
    session.response === undefined
      ? "no answer"
      : `${session.response.kind} ${short(session.response.body)}`;
  return [
    init === undefined
      ? "init ok"
      : `init error ${init.errorType}: ${short(init.errorMessage ?? "")}`,
    `events asked ${session.asked}`,
    answer,
    `EMF lines ${session.stdout.filter((l) => l.text.includes('"_aws"')).length}`,
  ].join("; ");
}

function short(text, max = 90) {
  const one = String(text).replace(/\s+/g, " ");
  return one.length > max ? `${one.slice(0, max)}…` : one;
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
