/**
 * What runs: the zips that `serverless package` writes, the functions its template declares, and
 * what each bundle leaves to `require()` at run time. Also the test fixtures, bundled from
 * TypeScript so that this plain-Node harness can use them.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./settings.mjs";

/**
 * The independent EMF validator and the typed event factories, bundled from TypeScript.
 *
 * @example
 * const fixtures = await loadFixtures(work);
 * fixtures.emfProblems(line); // [] for a valid EMF line
 * fixtures.events.httpApiEvent({ method: "GET", path: "/orders/1001" });
 */
export async function loadFixtures(work) {
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

/**
 * Runs `serverless package` into the work directory (never `.serverless/`).
 *
 * @example
 * const pkg = packageService(work); // { dir: "<work>/package", seconds: 12.3 }
 */
export function packageService(work) {
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
function plainEnv(variables, where, findings) {
  const env = {};
  for (const [key, value] of Object.entries(variables ?? {})) {
    if (typeof value === "string") env[key] = value;
    else findings.note(where, `environment variable ${key} is not a plain string; not set`);
  }
  return env;
}

/** v3 takes an `http` path without its leading `/` (`path: books`); the request has one. */
function withSlash(path = "/") {
  return path.startsWith("/") ? path : `/${path}`;
}

function parseHttpEvent(event) {
  const spec = event.httpApi ?? event.http;
  if (spec === undefined) return undefined;
  const door = event.httpApi !== undefined ? "http-api" : "rest-api";
  if (typeof spec === "string") {
    if (spec === "*") return { door, method: "ANY", path: "/{proxy+}" };
    const [method, path] = spec.trim().split(/\s+/);
    return { door, method: method.toUpperCase(), path: withSlash(path) };
  }
  return { door, method: String(spec.method ?? "ANY").toUpperCase(), path: withSlash(spec.path) };
}

/**
 * Every function in the packaged service, with what the runtime needs to run it.
 *
 * @example
 * readFunctions(pkg.dir, findings);
 * // [{ key: "getOrder", handler: "functions/get-order.handler", routes: [...], zip, ... }, ...]
 */
export function readFunctions(dir, findings) {
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
      findings.violation(key, "no AWS::Lambda::Function in the packaged template", fn.name);
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
      env: plainEnv(props.Environment?.Variables, key, findings),
      zip,
      routes: events.map(parseHttpEvent).filter((r) => r !== undefined),
      scheduled: events.some((e) => e.schedule !== undefined),
      region,
    });
  }
  return functions;
}

/**
 * Unzips a function into `<work>/fn/<key>` and records what its bundle leaves to the runtime
 * (`fn.dir`, `fn.externalSdk`) and whether it is the health function (`fn.health`). A bundle that
 * requires a package Lambda does not provide is a violation.
 *
 * @example
 * for (const fn of functions) unpackFunction(fn, work, findings);
 */
export function unpackFunction(fn, work, findings) {
  const dir = join(work, "fn", fn.key);
  unzip(fn.zip, dir);
  const externals = externalRequires(dir);
  const sdk = externals.filter((m) => m.startsWith("@aws-sdk/"));
  const missing = externals.filter((m) => !m.startsWith("@aws-sdk/"));
  fn.externalSdk = sdk;
  if (bundleContains(dir, "GraniteServiceVersion20100801")) {
    findings.note(
      fn.key,
      "the CloudWatch client is bundled into the zip (not left to the runtime)",
    );
  }
  if (sdk.length > 0)
    findings.note(
      fn.key,
      `bundle leaves ${sdk.join(", ")} to require() at run time: NODE_PATH gets the project's @aws-sdk, as the Lambda runtime provides its own`,
    );
  for (const m of missing)
    findings.violation(
      fn.key,
      "bundle requires a package that is neither bundled nor provided by Lambda",
      m,
    );
  fn.dir = dir;
  fn.health =
    fn.routes.some((r) => /^\/health(\/|$)/.test(r.path)) || /(^|\/)health\./.test(fn.handler);
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
  // A package the zip carries in its own node_modules (a tsc-only service's) is not external
  return [...found].filter((m) => !existsSync(join(root, "node_modules", m))).sort();
}

function bundleContains(root, needle) {
  return readdirSync(root, { recursive: true }).some((entry) => {
    const file = join(root, String(entry));
    return /\.(c|m)?js$/.test(file) && readFileSync(file, "utf8").includes(needle);
  });
}
