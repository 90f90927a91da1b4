#!/usr/bin/env node
/**
 * Opt-in end-to-end check (`npm run test:ric`, not part of `npm test`): runs the bundles that
 * `serverless package` writes under the real AWS Lambda Runtime Interface Client (aws-lambda-ric),
 * in both of Lambda's log formats (Text and JSON), against a fake Lambda Runtime API on 127.0.0.1.
 * Every function that serverless packages is run with events from the four front doors (HTTP API,
 * REST API, Function URL, ALB), random paths, malformed events, non-HTTP events and odd deadlines.
 * The health function, when there is one, is also run against a fake CloudWatch on 127.0.0.1 that
 * answers (healthy and unhealthy data), fails (HTTP 500) and hangs. A third pass runs every
 * function as on Lambda Managed Instances (JSON, AWS_LAMBDA_MAX_CONCURRENCY=8, the RIC's
 * multi-concurrent mode): the fake Runtime API keeps several invocations in flight at once, /health
 * waits on a slow fake CloudWatch (no cache) so that they overlap (at least 4 at once, or the pass
 * fails), and each line must carry its own invocation's request id and trace root, never another's.
 *
 * Checked: every stdout line with `_aws` is valid EMF (test/fixtures/emf-spec.ts, written from the
 * AWS docs) and carries the request id the fake Runtime API issued; each invocation has exactly one
 * canonical line (`Requests`), plus at most one warning line; responses have the expected status;
 * 5xx bodies hold only `message` and `requestId`; no stdout line of ours lacks `_aws`. Lines the
 * RIC writes itself (its console logger) are listed, not failed. Exits non-zero on any violation.
 *
 * Installing the RIC: it is NOT a project dependency. Its install scripts build curl and
 * aws-lambda-cpp from source and a native addon with node-gyp (cmake, make, g++, python3: well
 * under a minute here, a few minutes on slower machines), so it lives in a cache directory,
 * `~/.cache/lambda-vitals-ric` (or `$RIC_DIR`). npm 11 runs a dependency's install scripts only
 * when allowed: the cache directory gets its own package.json whose `allowScripts` names
 * aws-lambda-ric, and then `npm install --no-save --foreground-scripts aws-lambda-ric@<version>`
 * runs there. Delete the directory to rebuild.
 *
 * Environment: RIC_DIR (cache directory), RIC_E2E_SEED (repeat a run's random paths),
 * RIC_E2E_VERBOSE=1 (print every stdout/stderr line of the functions), RIC_NODE (the node binary
 * that runs the RIC; default: the one running this script), RIC_E2E_MI_WORKERS (the RIC's worker
 * threads in the Managed Instances pass, AWS_LAMBDA_NODEJS_WORKER_COUNT; default 1).
 */
import { spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import { builtinModules } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RIC_VERSION = "4.0.2";
const RIC_DIR = process.env.RIC_DIR ?? join(homedir(), ".cache", "lambda-vitals-ric");
const RIC_PKG = join(RIC_DIR, "node_modules", "aws-lambda-ric");
const FORMATS = ["Text", "JSON"];
const SEED = Number(process.env.RIC_E2E_SEED ?? Date.now() % 2 ** 31);
const VERBOSE = process.env.RIC_E2E_VERBOSE === "1";
/** The Node.js that runs the RIC: Lambda's nodejs22.x runs Node 22 (aws-lambda-ric 4 wants >= 22). */
const NODE = process.env.RIC_NODE ?? process.execPath;
/** Pause before answering `/next`, so that stdout written during one invocation is read first. */
const GAP_MS = 25;
/**
 * Managed Instances pass: AWS_LAMBDA_MAX_CONCURRENCY, and the RIC's worker threads (with one, all
 * invocations share one event loop and one instance of the function's modules).
 */
const MI_CONCURRENCY = 8;
const MI_WORKERS = Number(process.env.RIC_E2E_MI_WORKERS ?? 1);
if (!Number.isInteger(MI_WORKERS) || MI_WORKERS < 1 || MI_WORKERS > 16) {
  throw new Error(`RIC_E2E_MI_WORKERS must be an integer from 1 to 16, got ${MI_WORKERS}`);
}
/** Fake CloudWatch delay per request in the Managed Instances pass, so /health invocations overlap. */
const MI_CLOUDWATCH_MS = [50, 150];
/** Lambda stops the environment at the deadline; the harness kills the process this much later. */
const KILL_GRACE_MS = 300;
const SESSION_LIMIT_MS = 120_000;
const RUN_LIMIT_MS = 15 * 60_000;
const MAX_RESTARTS = 20;
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIARICE2EDUMMY00001",
  AWS_SECRET_ACCESS_KEY: "ricE2eDummySecretKey/DoNotLeak+0000000001",
  AWS_SESSION_TOKEN: "ricE2eDummySessionToken//DoNotLeak==",
};
const SECRETS = [CREDENTIALS.AWS_SECRET_ACCESS_KEY, CREDENTIALS.AWS_SESSION_TOKEN, "DoNotLeak"];

/** Runtime processes alive now, and the work directory: cleaned up on Ctrl-C and on give-up. */
const liveChildren = new Set();
let workDir;

function emergencyStop(code) {
  for (const pid of liveChildren) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
  process.exit(code);
}

const violations = [];
const notes = [];
const started = Date.now();

function violation(where, what, detail) {
  violations.push({ where, what, detail });
}

function note(where, what) {
  notes.push(`${where}: ${what}`);
}

function log(message) {
  process.stderr.write(`[ric-e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------
// Set-up: the RIC in its cache directory, the fixtures, the packaged functions
// ---------------------------------------------------------------------------------------------

function ensureRic() {
  const installed = join(RIC_PKG, "package.json");
  if (existsSync(join(RIC_PKG, "rapid-client.node")) && existsSync(installed)) {
    const version = JSON.parse(readFileSync(installed, "utf8")).version;
    if (version === RIC_VERSION) return { built: false, seconds: 0 };
  }
  log(`installing aws-lambda-ric@${RIC_VERSION} into ${RIC_DIR} (native build)...`);
  mkdirSync(RIC_DIR, { recursive: true });
  const manifest = {
    name: "lambda-vitals-ric-cache",
    private: true,
    description: "Cache for scripts/ric-e2e.mjs: not part of the project's install",
    allowScripts: { [`aws-lambda-ric@${RIC_VERSION}`]: true },
  };
  writeFileSync(join(RIC_DIR, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const t0 = Date.now();
  const npm = spawnSync(
    "npm",
    ["install", "--no-save", "--foreground-scripts", `aws-lambda-ric@${RIC_VERSION}`],
    { cwd: RIC_DIR, encoding: "utf8", timeout: 20 * 60_000, maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(join(RIC_DIR, "install.log"), `${npm.stdout ?? ""}\n${npm.stderr ?? ""}`);
  if (npm.status !== 0 || !existsSync(join(RIC_PKG, "rapid-client.node"))) {
    process.stderr.write(`${(npm.stderr ?? "").split("\n").slice(-30).join("\n")}\n`);
    throw new Error(`aws-lambda-ric install failed (log: ${join(RIC_DIR, "install.log")})`);
  }
  return { built: true, seconds: (Date.now() - t0) / 1000 };
}

/** The independent EMF validator and the typed event factories, bundled from TypeScript. */
async function loadFixtures(work) {
  const { buildSync } = await import("esbuild");
  const out = join(work, "fixtures.mjs");
  buildSync({
    stdin: {
      contents: [
        'export { emfProblems } from "./test/fixtures/emf-spec.ts";',
        'export * as events from "./test/fixtures/events.ts";',
      ].join("\n"),
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    logLevel: "error",
  });
  return import(pathToFileURL(out).href);
}

function packageService(work) {
  const dir = join(work, "package");
  const tmp = join(work, "tmp");
  mkdirSync(tmp, { recursive: true });
  const t0 = Date.now();
  const run = spawnSync("npx", ["serverless", "package", "--package", dir], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 10 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
    // serverless-esbuild leaves a directory per function in the temporary directory: keep them in
    // the work directory, which goes when the run ends.
    env: {
      ...process.env,
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      TMPDIR: tmp,
      TMP: tmp,
      TEMP: tmp,
    },
  });
  if (run.status !== 0) {
    process.stderr.write(`${run.stdout}\n${run.stderr}\n`);
    throw new Error("serverless package failed");
  }
  return { dir, seconds: (Date.now() - t0) / 1000 };
}

function unzip(zip, into) {
  mkdirSync(into, { recursive: true });
  let run = spawnSync("unzip", ["-q", "-o", zip, "-d", into], { encoding: "utf8" });
  if (run.error !== undefined) {
    run = spawnSync("python3", ["-m", "zipfile", "-e", zip, into], { encoding: "utf8" });
  }
  if (run.status !== 0) throw new Error(`cannot unzip ${zip}: ${run.stderr}`);
}

/** Plain-string environment variables only: `Ref` and `Fn::*` values are reported and skipped. */
function plainEnv(variables, where) {
  const env = {};
  for (const [key, value] of Object.entries(variables ?? {})) {
    if (typeof value === "string") env[key] = value;
    else note(where, `environment variable ${key} is not a plain string; not set`);
  }
  return env;
}

function parseHttpEvent(event) {
  const spec = event.httpApi ?? event.http;
  if (spec === undefined) return undefined;
  const door = event.httpApi !== undefined ? "http-api" : "rest-api";
  if (typeof spec === "string") {
    if (spec === "*") return { door, method: "ANY", path: "/{proxy+}" };
    const [method, path] = spec.trim().split(/\s+/);
    return { door, method: method.toUpperCase(), path };
  }
  return { door, method: String(spec.method ?? "ANY").toUpperCase(), path: spec.path ?? "/" };
}

function readFunctions(dir) {
  const state = JSON.parse(readFileSync(join(dir, "serverless-state.json"), "utf8"));
  const template = JSON.parse(
    readFileSync(join(dir, "cloudformation-template-update-stack.json"), "utf8"),
  );
  const resources = Object.values(template.Resources ?? {}).filter(
    (r) => r.Type === "AWS::Lambda::Function",
  );
  const region = state.service?.provider?.region ?? "us-east-1";
  const functions = [];
  for (const [key, fn] of Object.entries(state.service?.functions ?? {})) {
    const resource = resources.find((r) => r.Properties?.FunctionName === fn.name);
    if (resource === undefined) {
      violation(key, "no AWS::Lambda::Function in the packaged template", fn.name);
      continue;
    }
    const props = resource.Properties;
    let zip = join(dir, `${key}.zip`);
    if (!existsSync(zip)) zip = join(dir, `${state.service.service}.zip`);
    const events = fn.events ?? [];
    functions.push({
      key,
      name: fn.name,
      handler: props.Handler,
      runtime: props.Runtime,
      memory: props.MemorySize ?? 1024,
      timeoutS: props.Timeout ?? 3,
      env: plainEnv(props.Environment?.Variables, key),
      zip,
      routes: events.map(parseHttpEvent).filter((r) => r !== undefined),
      scheduled: events.some((e) => e.schedule !== undefined),
      region,
    });
  }
  return functions;
}

const BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/**
 * What the bundle still `require`s from outside itself. `@aws-sdk/*` is what the Lambda Node.js
 * runtime provides: it is put on NODE_PATH (from the project's node_modules) to mimic that.
 */
function externalRequires(root) {
  const found = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const file = join(dir, entry);
      if (statSync(file).isDirectory()) {
        if (entry !== "node_modules") walk(file);
      } else if (/\.(c|m)?js$/.test(entry)) {
        const text = readFileSync(file, "utf8");
        for (const m of text.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
          if (!BUILTINS.has(m[1])) found.add(m[1]);
        }
        for (const m of text.matchAll(/\bimport\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
          if (!BUILTINS.has(m[1])) found.add(m[1]);
        }
      }
    }
  };
  walk(root);
  return [...found].sort();
}

function bundleContains(root, needle) {
  return readdirSync(root, { recursive: true }).some((entry) => {
    const file = join(root, String(entry));
    return /\.(c|m)?js$/.test(file) && readFileSync(file, "utf8").includes(needle);
  });
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function traceHeader(rand) {
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${hex(24)}`;
  return { root, header: `Root=${root};Parent=${hex(16)};Sampled=1` };
}

const ORDER_OK = JSON.stringify({ channel: "web", lines: [{ sku: "SKU-1", quantity: 2 }] });

/** Expected status for the example orders handlers; undefined means "any valid status". */
function expectedStatus(fn, door, params, body) {
  const name = fn.handler.split(".").pop();
  const pathParams = door === "http-api" || door === "rest-api";
  if (name === "getOrder") return pathParams && params.id === "1001" ? 200 : 404;
  if (name === "getInvoice") return pathParams && params.id === "1001" ? 500 : 404;
  if (name === "createOrder") return body === ORDER_OK || body === "b64" ? 201 : 400;
  return undefined;
}

function concretize(template) {
  const names = [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]);
  if (names.length === 0) return [{ path: template, params: {} }];
  return ["1001", "9999"].map((value) => {
    const params = Object.fromEntries(names.map((n) => [n, value]));
    return { path: template.replace(/\{([^}+]+)\+?\}/g, value), params };
  });
}

function frontDoorEvent(F, door, { method, path, route, params, body, base64 }) {
  const request = { method, path, route, body, isBase64Encoded: base64 };
  const pp = params !== undefined && Object.keys(params).length > 0 ? params : undefined;
  switch (door) {
    case "http-api":
      return { ...F.httpApiEvent(request), ...(pp ? { pathParameters: pp } : {}) };
    case "rest-api":
      return { ...F.restApiEvent(request), pathParameters: pp ?? null };
    case "function-url":
      return F.functionUrlEvent(request);
    case "alb":
      return F.albEvent(request);
    default:
      return F.albEvent({ ...request, multiValue: true });
  }
}

const DOORS = ["http-api", "rest-api", "function-url", "alb", "alb-multi"];

function httpSpecs(F, fn, rand) {
  const specs = [];
  for (const route of fn.routes) {
    const method = route.method === "ANY" ? "GET" : route.method;
    const bodies = ["POST", "PUT", "PATCH"].includes(method)
      ? [ORDER_OK, "b64", '{"channel":"web","lines":[]}', "{not json", "[]", ""]
      : [undefined];
    for (const sample of concretize(route.path)) {
      for (const door of DOORS) {
        for (const raw of bodies) {
          const base64 = raw === "b64";
          const body = base64 ? Buffer.from(ORDER_OK).toString("base64") : raw;
          specs.push({
            name: `${door} ${method} ${sample.path}${raw === undefined ? "" : ` body=${JSON.stringify(raw).slice(0, 24)}`}`,
            kind: "front-door",
            http: true,
            payload: frontDoorEvent(F, door, {
              method,
              path: sample.path,
              route: route.path,
              params: sample.params,
              body,
              base64,
            }),
            expect: expectedStatus(fn, door, sample.params, raw),
            trace: traceHeader(rand),
          });
        }
      }
    }
  }
  return specs;
}

function randomPath(rand, token) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const seg = () =>
    Array.from({ length: 1 + Math.floor(rand() * 10) }, () =>
      pick("abcdefghijklmnopqrstuvwxyz0123456789-_.~".split("")),
    ).join("");
  const unicode = [
    "ünïcødé",
    "日本語",
    "🚀",
    "%F0%9F%9A%80",
    "ç",
    "\u200b",
    "Ω≈ç√",
    "\u00e9\u0301",
  ];
  const odd = ["..", "%2e%2e", "", " ", "a b", "%00", "{id}", "*", "$default", "?q=1", ";x=1"];
  const kind = Math.floor(rand() * 5);
  const n = 1 + Math.floor(rand() * 6);
  const parts = Array.from({ length: n }, () =>
    kind === 1 ? pick(unicode) : kind === 2 ? pick(odd) : seg(),
  );
  parts.splice(Math.floor(rand() * (parts.length + 1)), 0, token);
  if (kind === 3) parts.push("x".repeat(2000 + Math.floor(rand() * 20000)));
  if (kind === 4) return `//${parts.join("//")}/`;
  return `/${parts.join("/")}`;
}

function randomSpecs(F, rand, count) {
  const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "FOO", "get"];
  const specs = [];
  for (let i = 0; i < count; i++) {
    const token = `zq${Math.floor(rand() * 1e9).toString(36)}`;
    const path = randomPath(rand, token);
    const method = methods[Math.floor(rand() * methods.length)];
    const door = DOORS[i % DOORS.length];
    const route = i % 2 === 0 ? "$default" : "/{proxy+}";
    specs.push({
      name: `random ${door} ${method} ${JSON.stringify(path.slice(0, 40))}${path.length > 40 ? `…(${path.length})` : ""}`,
      kind: "random",
      http: true,
      token,
      payload: frontDoorEvent(F, door, { method, path, route, body: undefined }),
      trace: traceHeader(rand),
    });
  }
  return specs;
}

function malformedSpecs(F, rand) {
  const deep = {};
  let cursor = deep;
  for (let i = 0; i < 200; i++) {
    cursor.next = {};
    cursor = cursor.next;
  }
  const values = [
    ["null", null],
    ["a string", "GET /orders/1001"],
    ["{}", {}],
    ['{"version":"2.0"}', { version: "2.0" }],
    ["[]", []],
    ["[1,2,3]", [1, 2, 3]],
    ["42", 42],
    ["true", true],
    ['{"version":"1.0"}', { version: "1.0" }],
    ['{"httpMethod":123,"path":{}}', { httpMethod: 123, path: {} }],
    ['{"requestContext":null}', { requestContext: null }],
    [
      '{"version":"2.0","requestContext":{"http":{}}}',
      { version: "2.0", requestContext: { http: {} } },
    ],
    ['{"requestContext":{"elb":{}},"headers":"x"}', { requestContext: { elb: {} }, headers: "x" }],
    ["deeply nested", deep],
    ["__proto__ keys", JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{}}}')],
  ];
  const specs = values.map(([name, payload], i) => ({
    name: `malformed ${name}`,
    kind: "malformed",
    http: false,
    payload,
    trace: i % 3 === 0 ? undefined : traceHeader(rand),
  }));
  specs.push({
    name: "malformed: body is not JSON",
    kind: "not-json",
    http: false,
    raw: "{not json",
    ricLevel: true,
    trace: traceHeader(rand),
  });
  specs.push({
    name: "schedule event",
    kind: "schedule",
    http: false,
    payload: F.scheduleEvent(),
    trace: traceHeader(rand),
  });
  specs.push({
    name: "sqs event",
    kind: "sqs",
    http: false,
    payload: F.sqsEvent(['{"a":1}']),
    trace: traceHeader(rand),
  });
  return specs;
}

function deadlineSpecs(F, fn, rand) {
  const route = fn.routes[0];
  if (route === undefined) return [];
  const [sample] = concretize(route.path);
  const method = route.method === "ANY" ? "GET" : route.method;
  return [-1000, 1, 50, 300].map((offset) => ({
    name: `deadline now${offset < 0 ? "" : "+"}${offset}ms`,
    kind: "deadline",
    http: true,
    deadlineOffset: offset,
    payload: frontDoorEvent(F, "http-api", {
      method,
      path: sample.path,
      route: route.path,
      params: sample.params,
      body: method === "POST" ? ORDER_OK : undefined,
    }),
    trace: traceHeader(rand),
  }));
}

// ---------------------------------------------------------------------------------------------
// Fake CloudWatch (AWS JSON 1.0, as @aws-sdk/client-cloudwatch v3 speaks it)
// ---------------------------------------------------------------------------------------------

async function startCloudWatch() {
  // `slow`: [min, max] ms to wait before each answer (Managed Instances pass), else undefined.
  const cw = {
    mode: "ok",
    slow: undefined,
    rand: Math.random,
    active: 0,
    maxActive: 0,
    requests: [],
    sockets: new Set(),
  };
  const valueFor = (query) => {
    const name = query.MetricStat?.Metric?.MetricName ?? "";
    const bad = cw.mode === "bad";
    if (query.Expression !== undefined) return bad ? 60 : 0;
    if (/^Requests$/.test(name)) return 100;
    if (/Error/.test(name)) return bad ? 60 : 0;
    if (/Latency|Duration/.test(name)) return bad ? 29_000 : 40;
    return bad ? 60 : 0;
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const target = String(req.headers["x-amz-target"] ?? "");
      const type = String(req.headers["content-type"] ?? "");
      cw.requests.push({ at: Date.now(), mode: cw.mode, target, type, url: req.url });
      cw.active += 1;
      cw.maxActive = Math.max(cw.maxActive, cw.active);
      res.on("close", () => {
        cw.active -= 1;
      });
      if (cw.mode === "hang") return; // never answers; destroyed when the session ends
      if (cw.mode === "fail") {
        res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ __type: "InternalFailure", message: "fake CloudWatch failure" }));
        return;
      }
      if (cw.slow !== undefined) {
        const [min, max] = cw.slow;
        setTimeout(() => answer(res, target, text), min + Math.floor(cw.rand() * (max - min + 1)));
        return;
      }
      answer(res, target, text);
    });
  });
  const answer = (res, target, text) => {
    if (res.destroyed) return;
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!target.endsWith(".GetMetricData") || body === undefined) {
      res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify({ __type: "UnknownOperationException", message: target }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const results = (body.MetricDataQueries ?? []).map((q) => ({
      Id: q.Id,
      Label: q.Label ?? q.Id,
      Timestamps: [now - 120, now - 60],
      Values: [valueFor(q), valueFor(q)],
      StatusCode: "Complete",
    }));
    res.writeHead(200, {
      "content-type": "application/x-amz-json-1.0",
      "x-amzn-requestid": randomUUID(),
    });
    res.end(JSON.stringify({ MetricDataResults: results, Messages: [] }));
  };
  server.on("connection", (socket) => {
    cw.sockets.add(socket);
    socket.on("close", () => cw.sockets.delete(socket));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  cw.url = `http://127.0.0.1:${server.address().port}`;
  cw.dropHanging = () => {
    for (const socket of cw.sockets) socket.destroy();
  };
  cw.close = () =>
    new Promise((ok) => {
      cw.dropHanging();
      server.close(() => ok());
    });
  return cw;
}

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

// ---------------------------------------------------------------------------------------------
// One session: a fake Runtime API, the RIC as a child process, a queue of events
// ---------------------------------------------------------------------------------------------

/** The fake Runtime API's HTTP server; `sockets` collects its connections so it can close at once. */
function runtimeApiServer(route, sockets) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => route(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return server;
}

/** The environment Lambda gives the runtime client, with a session's own variables. */
function runtimeEnv(fn, dir, server, extraEnv, sessionEnv) {
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
 */
function spawnRuntime(env, dir, session, childNo, owner) {
  const child = spawn(NODE, [join(RIC_PKG, "index.mjs")], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  liveChildren.add(child.pid);
  child.on("exit", () => liveChildren.delete(child.pid));
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

/** Signals a runtime process group that is still running; true when a signal was attempted. */
function killGroup(child, signal) {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return false;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
  return true;
}

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
/** A runtime client's answer for an invocation: `/invocation/{id}/response` or `/error`. */
const RESULT_URL = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;

function accepted(res) {
  res.writeHead(202, { "content-type": "application/json" });
  res.end('{"status":"OK"}');
}

/** An answer for an id that is not in flight: recorded, and refused as Lambda refuses it. */
function unknownRequestId(session, id, kind, body, res) {
  session.strayPosts.push({ id, kind, body: body.slice(0, 300) });
  res.writeHead(400, { "content-type": "application/json" });
  res.end('{"errorMessage":"unknown or finished request id","errorType":"InvalidRequestID"}');
}

/** The requests both Runtime APIs answer alike: an init error, and anything else (a stray). */
function otherRuntimeRequest(session, req, url, res, body) {
  if (req.method === "POST" && url === "/2018-06-01/runtime/init/error") {
    session.initErrors.push(body.slice(0, 2000));
    accepted(res);
    return;
  }
  session.strayPosts.push({ id: "-", kind: `${req.method} ${url}`, body: body.slice(0, 300) });
  res.writeHead(404);
  res.end();
}

/**
 * What both sessions do alike around the runtime client: start it (`spawn(childNo)`), let
 * `onExit` settle what it had in flight when it exits, restart it while events remain (at most
 * MAX_RESTARTS times), stop the session after SESSION_LIMIT_MS, and end it once.
 */
function sessionLifecycle({
  session,
  queue,
  server,
  sockets,
  resolveSession,
  name,
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
    violation(name, "session did not finish", `${SESSION_LIMIT_MS} ms`);
    queue.length = 0;
    life.finish();
  }, SESSION_LIMIT_MS);
  return life;
}

function runSession({ fn, dir, format, specs, extraEnv, label }) {
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
      spawn(childNo) {
        current = undefined;
        const env = runtimeEnv(fn, dir, server, extraEnv, {
          AWS_LAMBDA_LOG_FORMAT: format,
          AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        });
        return spawnRuntime(env, dir, session, childNo, () => current?.id ?? "init");
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

/**
 * Lambda Managed Instances: one process, AWS_LAMBDA_MAX_CONCURRENCY set, and the RIC in its
 * multi-concurrent mode (worker threads, each looping `next` and starting every invocation with
 * setImmediate inside InvokeStore.run). This fake Runtime API holds any number of pending `next`
 * requests, answers each with its own event, request id and trace header as long as fewer than
 * `maxConcurrency` invocations are in flight, and takes a response or an error for any id in flight.
 * Managed Instances do not stop the environment at a deadline: an invocation still unanswered at
 * its deadline (plus grace) is recorded as unanswered and the process is left running.
 */
function runConcurrentSession({ fn, dir, specs, extraEnv, label, maxConcurrency }) {
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
      spawn(childNo) {
        const env = runtimeEnv(fn, dir, server, extraEnv, {
          AWS_LAMBDA_LOG_FORMAT: "JSON",
          AWS_LAMBDA_INITIALIZATION_TYPE: "lambda-managed-instances",
          AWS_LAMBDA_MAX_CONCURRENCY: String(maxConcurrency),
          AWS_LAMBDA_NODEJS_WORKER_COUNT: String(MI_WORKERS),
        });
        // Lines are matched to invocations by the ids they carry, not by when they were read.
        return spawnRuntime(env, dir, session, childNo, () => "concurrent");
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

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

const RIC_TEXT = /^\d{4}-\d\d-\d\dT[\d:.]+Z\t[^\t]*\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t/;

function classify(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    return { kind: RIC_TEXT.test(text) ? "ric" : "unattributed" };
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    return { kind: "unattributed" };
  if (doc._aws !== undefined) return { kind: "emf", doc };
  if (typeof doc.timestamp === "string" && typeof doc.level === "string" && "requestId" in doc) {
    return { kind: "ric", doc };
  }
  return { kind: "unattributed", doc };
}

function metricNames(doc) {
  const names = new Set();
  for (const d of doc._aws?.CloudWatchMetrics ?? []) {
    for (const m of d.Metrics ?? []) names.add(m.Name);
  }
  return names;
}

function short(text, n = 400) {
  return text.length > n ? `${text.slice(0, n)}…(${text.length} chars)` : text;
}

function checkSession(session, F, stats, ricSamples) {
  const { fn, format } = session;
  const where = `${session.concurrent ? "MI" : format} ${fn.key}${session.label ? ` [${session.label}]` : ""}`;
  const byId = new Map(session.invocations.map((i) => [i.id, i]));
  // Every id and trace root the fake Runtime API issued: a line may carry only its own.
  const byRoot = new Map(
    session.invocations.filter((i) => i.spec.trace).map((i) => [i.spec.trace.root, i]),
  );
  const linesFor = new Map(session.invocations.map((i) => [i.id, []]));
  const isHealth = fn.health === true;

  stats.invocations += session.invocations.length;
  stats.stderr += session.stderr.length;
  for (const line of session.stdout) {
    const c = classify(line.text);
    if (SECRETS.some((s) => line.text.includes(s))) {
      violation(where, "a stdout line contains a credential", short(line.text));
    }
    if (c.kind === "ric") {
      stats.ric += 1;
      const key = `${format}:${line.text
        .replace(
          /\d{4}-\d\d-\d\dT[\d:.]+Z|[0-9a-f]{8}-[0-9a-f-]{27}|\/tmp\/[^/]+|\(node:\d+\)/g,
          "",
        )
        .slice(0, 120)}`;
      const sampled = [...ricSamples.keys()].filter((k) => k.startsWith(`${format}:`)).length;
      if (!ricSamples.has(key) && sampled < 8) ricSamples.set(key, short(line.text, 300));
      // Our messages say "lambda-vitals"; file paths in stack traces (the RIC cache) do not count.
      if (/lambda-vitals/.test(line.text.replace(/[\w.-]*\/[\w./-]+/g, ""))) {
        violation(
          where,
          "our code logged through console.* (RIC-formatted line)",
          short(line.text),
        );
      }
      continue;
    }
    if (c.kind === "unattributed") {
      stats.unattributed += 1;
      violation(where, "stdout line without _aws that the RIC did not write", short(line.text));
      continue;
    }
    stats.emf += 1;
    const problems = F.emfProblems(line.text);
    if (problems.length > 0) {
      stats.invalid += 1;
      const inv = byId.get(line.owner);
      violation(
        where,
        `invalid EMF: ${problems.join("; ")}`,
        `event: ${inv?.spec.name ?? line.owner}\nline: ${short(line.text)}`,
      );
    }
    const rid = c.doc.requestId;
    if (!byId.has(rid)) {
      violation(
        where,
        "EMF line without the issued request id",
        `owner: ${byId.get(line.owner)?.spec.name ?? line.owner}\nline: ${short(line.text)}`,
      );
      continue;
    }
    checkForeignIds(where, line.text, byId.get(rid), byId, byRoot, c.doc);
    if (!session.concurrent && line.owner !== rid) {
      violation(
        where,
        `EMF line for ${byId.get(rid).spec.name} written during another invocation (${byId.get(line.owner)?.spec.name ?? line.owner})`,
        short(line.text),
      );
    }
    linesFor.get(rid).push(c.doc);
  }
  for (const line of session.stderr) {
    if (SECRETS.some((s) => line.text.includes(s))) {
      violation(where, "a stderr line contains a credential", short(line.text));
    }
  }
  for (const body of session.initErrors) violation(where, "init error posted", short(body));
  for (const stray of session.strayPosts) {
    violation(where, `unexpected Runtime API call ${stray.kind} for ${stray.id}`, stray.body);
  }
  for (const exit of session.exits) {
    // A payload that is not JSON (Lambda's Invoke API refuses those) makes the RIC exit: expected.
    if (!exit.byHarness && !exit.during?.spec.ricLevel) {
      stats.crashes += 1;
      violation(
        where,
        `runtime process exited on its own (code ${exit.code}, signal ${exit.signal})`,
        session.stderr
          .slice(-5)
          .map((l) => l.text)
          .join("\n"),
      );
    }
  }

  for (const inv of session.invocations) {
    const { spec } = inv;
    const name = `${spec.name} (${inv.id})`;
    stats[
      inv.outcome === "response" ? "responses" : inv.outcome === "error" ? "errors" : "killed"
    ] += 1;
    const lines = linesFor.get(inv.id);
    const canonical = lines.filter((d) => "Requests" in d);
    const others = lines.filter((d) => !("Requests" in d));
    const health = others.filter(
      (d) => metricNames(d).has("Health") || metricNames(d).has("HealthCheck"),
    );
    const warnings = others.filter((d) => !health.includes(d));
    stats.canonical += canonical.length;
    stats.warnings += warnings.length;
    stats.healthLines += health.length;
    if (spec.ricLevel) {
      // The RIC may fail before the handler runs: no line is required, none may be wrong.
      stats.ricLevel.push(
        `${spec.name}: ${inv.outcome}${inv.body ? ` ${short(inv.body, 200)}` : ""}`,
      );
      if (canonical.length > 1) violation(where, `${canonical.length} canonical lines`, name);
      continue;
    }
    if (canonical.length !== 1) {
      violation(
        where,
        `${canonical.length} canonical lines (expected 1)`,
        `event: ${name}, outcome ${inv.outcome}`,
      );
    }
    if (warnings.length > 1) {
      violation(
        where,
        `${warnings.length} extra EMF lines (at most one warning line)`,
        `event: ${name}\n${warnings.map((d) => short(JSON.stringify(d))).join("\n")}`,
      );
    }
    if (inv.outcome === "crashed") violation(where, "process died during the invocation", name);
    const line = canonical[0];
    if (line !== undefined) {
      const cold = line.ColdStart === 1;
      if (cold !== inv.firstOfChild) {
        violation(
          where,
          `ColdStart ${cold ? "on" : "missing on"} ${inv.firstOfChild ? "the first" : "a warm"} invocation`,
          `event: ${name}`,
        );
      }
      const want = spec.trace?.root;
      if (line.traceId !== want) {
        violation(
          where,
          "canonical line's traceId is not the invocation's trace root",
          `event: ${name}: traceId ${JSON.stringify(line.traceId)}, expected ${JSON.stringify(want)}`,
        );
      }
      if (spec.token !== undefined && JSON.stringify(line.Route ?? "").includes(spec.token)) {
        violation(
          where,
          "Route dimension holds the raw path",
          `event: ${name}\nRoute: ${short(String(line.Route), 200)}`,
        );
      }
      if (inv.outcome === "killed" && line.Timeouts !== 1) {
        violation(where, "killed at the deadline but the line has no Timeouts", `event: ${name}`);
      }
    } else if (inv.outcome === "killed") {
      violation(where, "killed at the deadline with no line written before it", `event: ${name}`);
    }

    if (isHealth && spec.kind === "schedule") checkHealthSchedule(where, inv, lines);
    else if (health.length > 0) {
      // Only the schedule writes HealthCheck lines: one here carries an id that is not its own.
      violation(
        where,
        "HealthCheck lines on an invocation that is not a schedule event",
        `event: ${name}: ${health.length} lines\n${short(JSON.stringify(health[0]))}`,
      );
    }
    if (inv.outcome === "killed") {
      violation(
        where,
        "no answer by the deadline (the harness killed the runtime, as Lambda would)",
        `event: ${name}, deadline +${inv.deadline - inv.issuedAt} ms`,
      );
      continue;
    }
    if (spec.http && inv.outcome !== "response") {
      violation(
        where,
        `HTTP event answered with ${inv.outcome}`,
        `event: ${name}\nbody: ${short(inv.body ?? "")}`,
      );
      continue;
    }
    const realDeadline = spec.deadlineOffset === undefined || spec.deadlineOffset > 300;
    if (inv.outcome === "response" && inv.doneAt > inv.deadline && realDeadline) {
      violation(where, `answered ${inv.doneAt - inv.deadline} ms after the deadline`, name);
    }
    if (SECRETS.some((s) => (inv.body ?? "").includes(s))) {
      violation(where, "the response contains a credential", `event: ${name}\n${short(inv.body)}`);
    }
    if (inv.outcome !== "response") continue;
    let result;
    try {
      result = JSON.parse(inv.body);
    } catch {
      violation(where, "response is not JSON", `event: ${name}\n${short(inv.body)}`);
      continue;
    }
    const status = result?.statusCode;
    if (line?.Timeouts === 1) {
      // The wrapper wrote the timeout line before the deadline, and the handler then finished
      // after it: Lambda would have stopped the environment and dropped this late answer, so the
      // line, not the answer, is what the caller's metrics show. Answering before the deadline
      // would mean the timeout was written too early.
      if (inv.doneAt < inv.deadline) {
        violation(where, "timeout written, but answered before the deadline", `event: ${name}`);
      }
      stats.lateAfterTimeout = (stats.lateAfterTimeout ?? 0) + 1;
      continue;
    }
    if (!spec.http) {
      stats.statuses.push(`${spec.name}: ${status ?? "no statusCode"}`);
    }
    if (spec.http || typeof status === "number") {
      if (!Number.isInteger(status) || status < 100 || status > 599) {
        violation(where, `invalid statusCode ${JSON.stringify(status)}`, `event: ${name}`);
        continue;
      }
      if (spec.expect !== undefined && status !== spec.expect) {
        violation(
          where,
          `status ${status}, expected ${spec.expect}`,
          `event: ${name}\nbody: ${short(String(result.body ?? ""), 300)}`,
        );
      }
      if (line !== undefined && spec.http && line.status !== status) {
        violation(where, `line status ${line.status} but response ${status}`, `event: ${name}`);
      }
      if (line !== undefined && spec.http) {
        const wantErrors = status >= 500 ? 1 : 0;
        const wantClient = status >= 400 && status < 500 ? 1 : 0;
        if (line.Errors !== wantErrors || line.ClientErrors !== wantClient) {
          violation(
            where,
            `Errors=${line.Errors} ClientErrors=${line.ClientErrors} for status ${status}`,
            `event: ${name}`,
          );
        }
      }
      if (status >= 500 && !(isHealth && status === 503)) {
        let body;
        try {
          body = JSON.parse(result.body);
        } catch {
          body = undefined;
        }
        const keys = body && typeof body === "object" ? Object.keys(body).sort().join(",") : "";
        if (keys !== "message,requestId" || body.requestId !== inv.id) {
          violation(
            where,
            "5xx body is not exactly {message, requestId} with the issued id",
            `event: ${name}\nbody: ${short(String(result.body), 300)}`,
          );
        }
      }
    }
    if (isHealth) checkHealthInvocation(where, inv, result);
  }
  const checkCounts = new Set(
    session.invocations.filter((i) => i.healthChecks !== undefined).map((i) => i.healthChecks),
  );
  if (checkCounts.size > 1) {
    violation(
      where,
      "schedule events wrote different numbers of HealthCheck lines",
      [...checkCounts].join(", "),
    );
  }
}

const ID_LIKE =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|1-[0-9a-f]{8}-[0-9a-f]{24}/g;

/**
 * No EMF line may carry another invocation's request id or trace root, anywhere in it; a `traceId`
 * field, on any line, is its own invocation's root.
 */
function checkForeignIds(where, text, inv, byId, byRoot, doc) {
  const own = new Set([inv.id, inv.spec.trace?.root]);
  for (const [found] of text.matchAll(ID_LIKE)) {
    const other = byId.get(found) ?? byRoot.get(found);
    if (other !== undefined && !own.has(found)) {
      violation(
        where,
        `an EMF line carries another invocation's ${byId.has(found) ? "request id" : "trace root"}`,
        `event: ${inv.spec.name}, requestId ${inv.id} (trace ${inv.spec.trace?.root}); found ${found}, issued to ${other.spec.name} (${other.id})\nline: ${short(text)}`,
      );
    }
  }
  // The canonical line's traceId is checked with the rest of it (checkSession).
  if (!("Requests" in doc) && "traceId" in doc && doc.traceId !== inv.spec.trace?.root) {
    violation(
      where,
      "an extra EMF line's traceId is not its invocation's trace root",
      `event: ${inv.spec.name} (${inv.id}): traceId ${JSON.stringify(doc.traceId)}, expected ${JSON.stringify(inv.spec.trace?.root)}\nline: ${short(text)}`,
    );
  }
}

function checkHealthSchedule(where, inv, lines) {
  const name = `${inv.spec.name} (${inv.id})`;
  const names = new Set(lines.flatMap((d) => [...metricNames(d)]));
  if (!names.has("Health"))
    violation(where, "scheduled run wrote no Health metric", `event: ${name}`);
  if (!names.has("HealthCheck")) {
    violation(where, "scheduled run wrote no HealthCheck metric", `event: ${name}`);
  }
  // One line per check: a check twice means another invocation's line carries this id.
  const checks = lines.filter((d) => metricNames(d).has("HealthCheck")).map((d) => d.Check);
  if (new Set(checks).size !== checks.length) {
    violation(
      where,
      "a check's HealthCheck line appears twice",
      `event: ${name}: ${checks.join(", ")}`,
    );
  }
  inv.healthChecks = checks.length;
}

function checkHealthInvocation(where, inv, result) {
  const { spec } = inv;
  const name = `${spec.name} (${inv.id})`;
  if (!spec.healthPath) return;
  const status = result?.statusCode;
  let body;
  try {
    body = JSON.parse(result.body);
  } catch {
    violation(
      where,
      "health body is not JSON",
      `event: ${name}\n${short(String(result?.body), 300)}`,
    );
    return;
  }
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const multi = Object.fromEntries(
    Object.entries(result.multiValueHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v?.[0]]),
  );
  const type = headers["content-type"] ?? multi["content-type"];
  if (!/^application\/health\+json/.test(String(type))) {
    violation(where, `health content-type ${JSON.stringify(type)}`, `event: ${name}`);
  }
  const want =
    body.status === "fail"
      ? 503
      : body.status === "pass" || body.status === "warn"
        ? 200
        : undefined;
  if (want === undefined)
    violation(where, `health status ${JSON.stringify(body.status)}`, `event: ${name}`);
  else if (status !== want)
    violation(where, `health status ${body.status} answered ${status}`, `event: ${name}`);
  inv.health = { status, verdict: body.status, ms: inv.doneAt - inv.issuedAt };
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

function nodeVersion() {
  const run = spawnSync(NODE, ["--version"], { encoding: "utf8" });
  return `node ${String(run.stdout).trim()}`;
}

function newStats() {
  return {
    invocations: 0,
    responses: 0,
    errors: 0,
    killed: 0,
    crashes: 0,
    canonical: 0,
    warnings: 0,
    healthLines: 0,
    emf: 0,
    invalid: 0,
    ric: 0,
    unattributed: 0,
    stderr: 0,
    statuses: [],
    ricLevel: [],
  };
}

function table(rows, extra = []) {
  const cols = [
    ["function", (r) => r.fn],
    ["invocations", (r) => r.s.invocations],
    ["responses", (r) => r.s.responses],
    ["errors", (r) => r.s.errors],
    ["no answer", (r) => r.s.killed],
    ["crashes", (r) => r.s.crashes],
    ["canonical", (r) => r.s.canonical],
    ["warn lines", (r) => r.s.warnings],
    ["health lines", (r) => r.s.healthLines],
    ["EMF lines", (r) => r.s.emf],
    ["invalid EMF", (r) => r.s.invalid],
    ["RIC lines", (r) => r.s.ric],
    ["ours w/o _aws", (r) => r.s.unattributed],
    ["stderr", (r) => r.s.stderr],
    ...extra,
    ["violations", (r) => r.v],
  ];
  const cells = rows.map((r) => cols.map(([, f]) => String(f(r))));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  return [
    fmt(cols.map(([h]) => h)),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...cells.map(fmt),
  ].join("\n");
}

async function main() {
  const runTimer = setTimeout(() => {
    process.stderr.write(`ric-e2e: gave up after ${RUN_LIMIT_MS / 60_000} minutes\n`);
    emergencyStop(3);
  }, RUN_LIMIT_MS);
  runTimer.unref();
  const work = mkdtempSync(join(tmpdir(), "ric-e2e-"));
  workDir = work;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.on(signal, () => emergencyStop(130));
  const cleanups = [() => rmSync(work, { recursive: true, force: true })];
  try {
    const ric = ensureRic();
    log(
      ric.built
        ? `RIC built in ${ric.seconds.toFixed(0)} s`
        : `RIC ${RIC_VERSION} cached in ${RIC_DIR}`,
    );
    const fixtures = await loadFixtures(work);
    const F = fixtures.events;
    const pkg = packageService(work);
    log(`packaged in ${pkg.seconds.toFixed(1)} s`);
    const functions = readFunctions(pkg.dir);
    const cw = await startCloudWatch();
    cleanups.unshift(() => cw.close());
    const sdkPath = join(work, "runtime-node-modules");
    mkdirSync(sdkPath);
    const projectSdk = join(ROOT, "node_modules", "@aws-sdk");
    if (existsSync(projectSdk)) symlinkSync(projectSdk, join(sdkPath, "@aws-sdk"), "dir");

    const rows = [];
    const extra = [];
    const ricSamples = new Map();
    log(`seed ${SEED}; functions: ${functions.map((f) => f.key).join(", ")}`);
    for (const fn of functions) {
      const dir = join(work, "fn", fn.key);
      unzip(fn.zip, dir);
      const externals = externalRequires(dir);
      const sdk = externals.filter((m) => m.startsWith("@aws-sdk/"));
      const missing = externals.filter((m) => !m.startsWith("@aws-sdk/"));
      fn.externalSdk = sdk;
      if (bundleContains(dir, "GraniteServiceVersion20100801")) {
        note(fn.key, "the CloudWatch client is bundled into the zip (not left to the runtime)");
      }
      if (sdk.length > 0)
        note(
          fn.key,
          `bundle leaves ${sdk.join(", ")} to require() at run time: NODE_PATH gets the project's @aws-sdk, as the Lambda runtime provides its own`,
        );
      for (const m of missing)
        violation(
          fn.key,
          "bundle requires a package that is neither bundled nor provided by Lambda",
          m,
        );
      fn.dir = dir;
      fn.health =
        fn.routes.some((r) => /^\/health(\/|$)/.test(r.path)) || /(^|\/)health\./.test(fn.handler);
    }
    const baseEnv = (fn) => ({
      ...CREDENTIALS,
      AWS_ENDPOINT_URL_CLOUDWATCH: cw.url,
      ...(fn.externalSdk.length > 0 ? { NODE_PATH: sdkPath } : {}),
    });

    for (const format of FORMATS) {
      for (const fn of functions) {
        const rand = prng(SEED + fn.key.length * 7919);
        const specs = [
          ...httpSpecs(F, fn, rand),
          ...randomSpecs(F, rand, 24),
          ...malformedSpecs(F, rand),
          ...deadlineSpecs(F, fn, rand),
        ];
        const before = violations.length;
        const stats = newStats();
        cw.mode = "ok";
        log(`${format} ${fn.key}: ${specs.length} invocations`);
        const session = await runSession({
          fn,
          dir: fn.dir,
          format,
          specs,
          extraEnv: baseEnv(fn),
          label: "",
        });
        checkSession(session, fixtures, stats, ricSamples);
        cw.dropHanging();
        if (fn.health) {
          for (const mode of ["ok", "bad", "fail", "hang", "hang-short"]) {
            cw.mode = mode === "hang-short" ? "hang" : mode;
            const queried = cw.requests.length;
            const hrand = prng(SEED + mode.length);
            const hspecs = healthSpecs(F, fn, hrand, mode === "hang-short" ? 400 : 1500);
            const hs = await runSession({
              fn,
              dir: fn.dir,
              format,
              specs: hspecs,
              extraEnv: baseEnv(fn),
              label: `cloudwatch ${mode}`,
            });
            checkSession(hs, fixtures, stats, ricSamples);
            cw.dropHanging();
            const asked = cw.requests.slice(queried);
            const gmd = asked.filter((r) => r.target.endsWith(".GetMetricData"));
            if (gmd.length === 0 && mode === "hang-short") {
              note(
                `${format} ${fn.key}`,
                "with 400 ms left, /health answered without asking CloudWatch (and the result was then reused from the cache)",
              );
            } else if (gmd.length === 0)
              violation(
                `${format} ${fn.key} [cloudwatch ${mode}]`,
                "health never queried CloudWatch",
                `${asked.length} requests: ${asked.map((r) => r.target || r.type).join(", ")}`,
              );
            const protocols = [...new Set(asked.map((r) => `${r.type} ${r.target}`))];
            const answers = hs.invocations
              .filter((i) => i.health)
              .map(
                (i) =>
                  `${i.spec.name} → ${i.health.status} ${i.health.verdict} in ${i.health.ms} ms`,
              );
            extra.push(
              `${format} health, CloudWatch ${mode}: ${gmd.length} GetMetricData (${protocols.join("; ")}); ${answers.join("; ")}`,
            );
            if (
              mode === "bad" &&
              hs.invocations.some(
                (i) => i.health && i.spec.firstHealth && i.health.verdict !== "fail",
              )
            ) {
              note(
                `${format} ${fn.key}`,
                "CloudWatch data with 60% errors and 29 s p99 did not make /health fail",
              );
            }
          }
        }
        rows.push({ fn: fn.key, s: stats, v: violations.length - before });
        for (const s of stats.statuses)
          extra.push(`${format} ${fn.key} non-HTTP event answered: ${s}`);
        for (const s of stats.ricLevel) extra.push(`${format} ${fn.key} RIC-level: ${s}`);
      }
      process.stdout.write(
        `\n## ${format} log format (AWS_LAMBDA_LOG_FORMAT=${format})\n${table(rows.splice(0))}\n`,
      );
    }

    // Lambda Managed Instances: AWS_LAMBDA_MAX_CONCURRENCY set, invocations overlapping in one
    // process. The health function waits on a slow fake CloudWatch (no cache), so they do overlap.
    let miMax = 0;
    for (const fn of functions) {
      const rand = prng(SEED + fn.key.length * 7919 + 1);
      const specs = withDistinctTraces(
        fn.health
          ? concurrentHealthSpecs(F, fn, rand)
          : [
              ...httpSpecs(F, fn, rand),
              ...randomSpecs(F, rand, 12),
              ...malformedSpecs(F, rand).filter((s) => !s.ricLevel),
            ],
        rand,
      );
      const before = violations.length;
      const stats = newStats();
      cw.mode = "ok";
      cw.slow = fn.health ? MI_CLOUDWATCH_MS : undefined;
      cw.rand = prng(SEED + 17);
      cw.maxActive = 0;
      const queried = cw.requests.length;
      const label = `max concurrency ${MI_CONCURRENCY}, ${MI_WORKERS} worker${MI_WORKERS === 1 ? "" : "s"}`;
      log(`MI ${fn.key} (${label}): ${specs.length} invocations`);
      const session = await runConcurrentSession({
        fn,
        dir: fn.dir,
        specs,
        extraEnv: { ...baseEnv(fn), ...(fn.health ? { HEALTH_CACHE_MS: "0" } : {}) },
        label,
        maxConcurrency: MI_CONCURRENCY,
      });
      checkSession(session, fixtures, stats, ricSamples);
      cw.dropHanging();
      cw.slow = undefined;
      stats.maxInFlight = session.maxInFlight;
      stats.overlapped = session.overlapped;
      stats.maxWaitingNext = session.maxWaitingNext;
      miMax = Math.max(miMax, session.maxInFlight);
      const where = `MI ${fn.key} [${label}]`;
      if (fn.health && session.maxInFlight < 4) {
        violation(
          where,
          `at most ${session.maxInFlight} invocations in flight at once (need >= 4: the pass proves nothing without overlap)`,
          `${session.invocations.length} invocations`,
        );
      }
      if (fn.health) {
        const gmd = cw.requests.slice(queried).filter((r) => r.target.endsWith(".GetMetricData"));
        const ms = session.invocations
          .filter((i) => i.health)
          .map((i) => i.health.ms)
          .sort((a, b) => a - b);
        extra.push(
          `MI health: ${gmd.length} GetMetricData (at most ${cw.maxActive} at once) for ${ms.length} /health answers (${ms[0]}–${ms.at(-1)} ms); max ${session.maxInFlight} invocations in flight, ${session.overlapped} issued while another was in flight`,
        );
      }
      rows.push({ fn: fn.key, s: stats, v: violations.length - before });
      for (const s of stats.statuses) extra.push(`MI ${fn.key} non-HTTP event answered: ${s}`);
    }
    if (functions.length > 0 && miMax < 2) {
      violation("MI", "no two invocations were ever in flight at once", `max ${miMax}`);
    }
    process.stdout.write(
      `\n## Managed Instances (AWS_LAMBDA_LOG_FORMAT=JSON, AWS_LAMBDA_MAX_CONCURRENCY=${MI_CONCURRENCY}, AWS_LAMBDA_NODEJS_WORKER_COUNT=${MI_WORKERS})\n${table(
        rows.splice(0),
        [
          ["max in flight", (r) => r.s.maxInFlight],
          ["overlapped", (r) => r.s.overlapped],
          ["max waiting next", (r) => r.s.maxWaitingNext],
        ],
      )}\n`,
    );

    process.stdout.write(
      `\nseed ${SEED}; aws-lambda-ric ${RIC_VERSION} on ${nodeVersion()}; run ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
    process.stdout.write("\n## Lines the RIC wrote itself (samples)\n");
    for (const sample of ricSamples.values()) process.stdout.write(`  ${sample}\n`);
    if (VERBOSE || violations.length > 0) {
      process.stdout.write("\n## Details\n");
      for (const line of [...new Set(extra)]) process.stdout.write(`  ${short(line, 300)}\n`);
    } else {
      const health = extra.filter(
        (l) => l.includes("health, CloudWatch") || l.startsWith("MI health"),
      );
      if (health.length > 0)
        process.stdout.write(`\n## Health\n${health.map((l) => `  ${l}`).join("\n")}\n`);
    }
    if (notes.length > 0) {
      process.stdout.write(`\n## Notes\n${[...new Set(notes)].map((n) => `  ${n}`).join("\n")}\n`);
    }
    const grouped = new Map();
    for (const v of violations) {
      const key = `${v.where}: ${v.what}`;
      const g = grouped.get(key) ?? { count: 0, detail: v.detail };
      g.count += 1;
      grouped.set(key, g);
    }
    if (grouped.size > 0) {
      process.stdout.write(`\n## Violations (${violations.length})\n`);
      for (const [key, g] of grouped) {
        process.stdout.write(
          `- ${key}${g.count > 1 ? ` (×${g.count}, first:)` : ""}\n    ${String(g.detail ?? "")
            .split("\n")
            .join("\n    ")}\n`,
        );
      }
    }
    process.stdout.write(
      `\nric-e2e: ${violations.length === 0 ? "passed" : `FAILED with ${violations.length} violations`}\n`,
    );
    return violations.length === 0 ? 0 : 1;
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

/** Every invocation gets a trace header, and no two share a root. */
function withDistinctTraces(specs, rand) {
  const roots = new Set();
  return specs.map((spec) => {
    let trace = spec.trace ?? traceHeader(rand);
    while (roots.has(trace.root)) trace = traceHeader(rand);
    roots.add(trace.root);
    return { ...spec, trace };
  });
}

/**
 * For the Managed Instances pass: /health from every front door (each one waits on the slow fake
 * CloudWatch), /health/live, schedule events (their HealthCheck lines must carry their own request
 * id while others run) and a few non-HTTP events, interleaved.
 */
function concurrentHealthSpecs(F, fn, rand) {
  const paths = fn.routes.map((r) => r.path).filter((p) => !p.includes("{"));
  const main = paths.find((p) => p === "/health") ?? paths[0] ?? "/health";
  const live = paths.find((p) => p !== main);
  const odd = [null, {}, "GET /health", F.sqsEvent(['{"a":1}'])];
  const specs = [];
  for (let i = 0; i < 64; i++) {
    const door = DOORS[i % DOORS.length];
    if (fn.scheduled && i % 8 === 3) {
      specs.push({
        name: `schedule event #${i}`,
        kind: "schedule",
        http: false,
        payload: F.scheduleEvent(),
      });
    } else if (i % 16 === 7) {
      specs.push({
        name: `malformed #${i} ${JSON.stringify(odd[(i >> 4) % odd.length]).slice(0, 30)}`,
        kind: "malformed",
        http: false,
        payload: odd[(i >> 4) % odd.length],
      });
    } else if (live !== undefined && i % 6 === 5) {
      specs.push({
        name: `${door} GET ${live} #${i}`,
        kind: "health",
        http: true,
        payload: frontDoorEvent(F, door, { method: "GET", path: live, route: live }),
      });
    } else {
      specs.push({
        name: `${door} GET ${main} #${i}`,
        kind: "health",
        http: true,
        healthPath: true,
        payload: frontDoorEvent(F, door, { method: "GET", path: main, route: main }),
      });
    }
  }
  return withDistinctTraces(specs, rand);
}

function healthSpecs(F, fn, rand, firstDeadlineMs) {
  const specs = [];
  const paths = fn.routes.map((r) => r.path).filter((p) => !p.includes("{"));
  const main = paths.find((p) => p === "/health") ?? paths[0] ?? "/health";
  const make = (door, path, extra = {}) => ({
    name: `${door} GET ${path}${extra.deadlineOffset ? ` deadline +${extra.deadlineOffset}ms` : ""}`,
    kind: "health",
    http: true,
    healthPath: path === main,
    payload: frontDoorEvent(F, door, { method: "GET", path, route: path, body: undefined }),
    trace: traceHeader(rand),
    ...extra,
  });
  // First, so that no cached result answers it: the checks must fit the invocation's own time.
  specs.push(make("http-api", main, { firstHealth: true, deadlineOffset: firstDeadlineMs }));
  specs.push(make("http-api", main));
  for (const path of paths.filter((p) => p !== main)) specs.push(make("http-api", path));
  for (const door of ["rest-api", "function-url", "alb"]) specs.push(make(door, main));
  if (fn.scheduled) {
    specs.push({
      name: "schedule event",
      kind: "schedule",
      http: false,
      payload: F.scheduleEvent(),
      trace: traceHeader(rand),
    });
  }
  return specs;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`ric-e2e: ${error?.stack ?? error}\n`);
    process.exitCode = 2;
  },
);
