/**
 * One measurement in a fresh process: loads one bundled variant and drives its handler with the
 * same HTTP API 2.0 event and a fresh Lambda-like context per invocation, inside the invoke store as
 * the runtime client of nodejs24.x calls it. Results go back over IPC;
 * stdout is whatever the parent made it (/dev/null, or a file for the byte count).
 *
 * node bench/worker.mjs <mode> <bundle.cjs> '<json options>'
 *   cold     import + first invocation
 *   warm     warm-up, then timed batches of sequential awaited invocations
 *   memory   many invocations, heap after GC sampled at intervals (needs --expose-gc)
 *   capture  a few invocations, with stdout's byte offset after each one
 *   ab       this bundle and `options.other` in one process, warmed alike, then timed in batches
 *            that alternate between the two: each pair of batches gives one ratio (this ÷ other)
 * Option `stubStdout` replaces `process.stdout.write` with a no-op (profiles, the JavaScript-only
 * rounds and `--compare`). Option
 * `clock: "cpu"` times warm batches in the process's CPU time (user + system) instead of wall
 * time, which a machine shared with other work disturbs far less (`--compare` uses it).
 */
import { fstatSync } from "node:fs";
import { createRequire } from "node:module";

const [mode = "", bundle = "", json = "{}"] = process.argv.slice(2);
const options = JSON.parse(json);
const require = createRequire(import.meta.url);
// For profiles only: V8's profiler charges the JS that runs after a write's syscall to the native
// `writeBuffer`, hiding where the time really goes. The write itself is timed without a profiler.
if (options.stubStdout) process.stdout.write = () => true;

const EVENT = {
  version: "2.0",
  routeKey: "GET /orders/{id}",
  rawPath: "/orders/1001",
  rawQueryString: "",
  headers: { accept: "application/json", host: "api-id.execute-api.us-east-1.amazonaws.com" },
  requestContext: {
    accountId: "123456789012",
    apiId: "api-id",
    domainName: "api-id.execute-api.us-east-1.amazonaws.com",
    domainPrefix: "api-id",
    http: {
      method: "GET",
      path: "/orders/1001",
      protocol: "HTTP/1.1",
      sourceIp: "192.0.2.1",
      userAgent: "bench",
    },
    requestId: "JKJaXmPLvHcESHA=",
    routeKey: "GET /orders/{id}",
    stage: "$default",
    time: "25/Nov/2026:03:00:00 +0000",
    timeEpoch: 1795575600000,
  },
  pathParameters: { id: "1001" },
  isBase64Encoded: false,
};

const noop = () => undefined;

/** A context as the runtime makes one: new per invocation, with a 30 s deadline. */
function context(i) {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: "bench-fn",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:bench-fn",
    memoryLimitInMB: "1024",
    awsRequestId: `c0ffee00-0000-4000-8000-${String(i).padStart(12, "0")}`,
    logGroupName: "/aws/lambda/bench-fn",
    logStreamName: "2026/11/25/[$LATEST]abcdef",
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}

/**
 * What the runtime client of nodejs24.x (aws-lambda-ric 4, one invocation at a time) does around
 * each invocation: it keeps the request id and the trace id in its invoke store,
 * `globalThis.awslambda.InvokeStore`, calls the handler inside the store's `run`, and also puts the
 * trace header in `_X_AMZN_TRACE_ID`. Every variant runs under it, raw included, so its own cost
 * drops out of the overheads; what each library reads, the store or the environment, is its own.
 */
const REQUEST_ID = Symbol.for("_AWS_LAMBDA_REQUEST_ID");
const X_RAY_TRACE_ID = Symbol.for("_AWS_LAMBDA_X_RAY_TRACE_ID");
const TRACE_HEADER = process.env._X_AMZN_TRACE_ID;
const store = {
  currentContext: undefined,
  get(key) {
    return this.currentContext?.[key];
  },
  getRequestId() {
    return this.get(REQUEST_ID) ?? "-";
  },
  getXRayTraceId() {
    return this.get(X_RAY_TRACE_ID);
  },
  run(invokeContext, fn) {
    this.currentContext = invokeContext;
    return fn();
  },
};
globalThis.awslambda = { InvokeStore: store };

/** Invocation `i` of `handler`, as the runtime makes it. */
function invoke(handler, i) {
  const lambdaContext = context(i);
  process.env._X_AMZN_TRACE_ID = TRACE_HEADER;
  const ids = { [REQUEST_ID]: lambdaContext.awsRequestId, [X_RAY_TRACE_ID]: TRACE_HEADER };
  return store.run(ids, () => handler(EVENT, lambdaContext));
}

function reply(message) {
  process.send(message, () => process.exit(0));
}

function gc() {
  globalThis.gc();
  globalThis.gc();
}

/** Milliseconds on a clock that the process has from its start, unlike `performance`. */
function hrMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

/**
 * Timed with `process.hrtime`, not `performance.now()`: the first read of `performance` loads
 * Node's perf_hooks (about 1 ms), which the Lambda runtime client has not loaded before a handler
 * runs, so a variant that reads it pays for that in its cold start, as it would in Lambda.
 */
async function cold() {
  const start = hrMs();
  const { handler } = require(bundle);
  const imported = hrMs();
  await invoke(handler, 0);
  const done = hrMs();
  return {
    importMs: imported - start,
    firstInvokeMs: done - imported,
    coldMs: done - start,
    sinceProcessStartMs: process.uptime() * 1000,
  };
}

/** Nanoseconds on the chosen clock. */
function now() {
  if (options.clock !== "cpu") return Number(process.hrtime.bigint());
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

async function warm() {
  const { handler } = require(bundle);
  let i = 0;
  for (const end = options.warmup; i < end; i++) await invoke(handler, i);
  const batches = [];
  for (let b = 0; b < options.batches; b++) {
    const start = now();
    for (const end = i + options.n; i < end; i++) await invoke(handler, i);
    batches.push((now() - start) / options.n);
  }
  return { batches };
}

async function memory() {
  const { handler } = require(bundle);
  const samples = [];
  for (let i = 0; i < options.total; ) {
    for (const end = i + options.every; i < end; i++) await invoke(handler, i);
    const rss = process.memoryUsage.rss();
    gc();
    samples.push({ invocations: i, rss, heapUsed: process.memoryUsage().heapUsed });
  }
  return { samples };
}

async function capture() {
  const { handler } = require(bundle);
  const offsets = [fstatSync(1).size];
  for (let i = 0; i < options.n; i++) {
    await invoke(handler, i);
    offsets.push(fstatSync(1).size);
  }
  return { offsets };
}

/**
 * Both bundles share the process, so the machine's load, the CPU's clock and the heap's state hit
 * both alike: a difference of 1% shows where fresh processes on a shared machine scatter by 10%.
 */
async function ab() {
  const handlers = [require(bundle).handler, require(options.other).handler];
  let i = 0;
  const batch = async (handler, n) => {
    const start = now();
    for (const end = i + n; i < end; i++) await invoke(handler, i);
    return (now() - start) / n;
  };
  for (const handler of handlers) await batch(handler, options.warmup);
  const ratios = [];
  for (let pair = 0; pair < options.pairs; pair++) {
    // The order alternates, so that neither bundle always runs right after the other's garbage.
    const [first, second] = pair % 2 === 0 ? handlers : [...handlers].reverse();
    const a = await batch(first, options.n);
    const b = await batch(second, options.n);
    ratios.push(pair % 2 === 0 ? a / b : b / a);
  }
  return { ratios };
}

const modes = { cold, warm, memory, capture, ab };
const run = modes[mode];
if (run === undefined) throw new Error(`unknown mode ${mode}`);
reply(await run());
