/**
 * The adopted services under the real runtime: a copy of each adoption fixture takes
 * lambda-vitals by the guide's steps (test/adoption/guide-steps.ts) and is packaged by Serverless
 * v3, so that its zip's functions join the template's in every pass:
 * - test/fixtures/tsc-service, a books API built with tsc alone: compiled by its own tsconfig;
 * - test/fixtures/existing-service, a todos API bundled by serverless-esbuild, with a callback
 *   handler and a middy one. The package comes from `npm pack`'s tarball, installed with
 * `npm install --offline`: the same files the registry would serve (test/adoption/ proves that
 * path), without starting verdaccio in this plain-Node harness for one install.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./settings.mjs";

/**
 * Each fixture: its handlers, what its package.json names (linked from this project: its tools,
 * types and libraries), and whether its build is `tsc` before `serverless package`.
 */
export const ADOPTED_SERVICES = [
  {
    name: "books",
    fixture: "test/fixtures/tsc-service",
    handlers: [
      "src/handlers/create.ts",
      "src/handlers/update.ts",
      "src/handlers/find.ts",
      "src/handlers/find-one.ts",
      "src/handlers/delete-one.ts",
    ],
    linked: ["typescript", "@types/aws-lambda", "@types/node", "undici-types"],
    tsc: true,
  },
  {
    name: "todos",
    fixture: "test/fixtures/existing-service",
    handlers: [
      "src/handlers/list-todos.ts",
      "src/handlers/get-todo.ts",
      "src/handlers/create-todo.ts",
      "src/handlers/legacy.ts",
    ],
    linked: [
      "@middy/core",
      "@middy/http-json-body-parser",
      "@types/aws-lambda",
      "@types/node",
      "undici-types",
      "typescript",
      "serverless-esbuild",
      "esbuild",
    ],
    tsc: false,
  },
];

function sh(command, args, cwd, env = process.env) {
  const run = spawnSync(command, args, {
    cwd,
    env,
    encoding: "utf8",
    timeout: 5 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) {
    process.stderr.write(`${run.stdout}\n${run.stderr}\n`);
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}`);
  }
  return run.stdout;
}

/** The guide's steps, bundled from TypeScript so that this harness can run them. */
async function loadGuideSteps(work) {
  const { buildSync } = await import("esbuild");
  const out = join(work, "guide-steps.mjs");
  buildSync({
    entryPoints: [join(ROOT, "test/adoption/guide-steps.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
    logLevel: "error",
  });
  return import(pathToFileURL(out).href);
}

/**
 * The package as `npm pack` makes it, once for every adopted service.
 *
 * @example
 * const tarball = packPackage(work); // "<work>/lambda-vitals-0.2.0.tgz"
 */
export function packPackage(work) {
  const [{ filename }] = JSON.parse(
    sh("npm", ["pack", "--json", "--pack-destination", work], ROOT),
  );
  return join(work, filename);
}

/**
 * Adopts, builds and packages one of ADOPTED_SERVICES; resolves with the package directory, to
 * read with readFunctions.
 *
 * @example
 * const pkg = await packageAdoptedService(work, ADOPTED_SERVICES[0], tarball);
 * // { dir: "<work>/books-package", seconds }
 */
export async function packageAdoptedService(work, adopted, tarball) {
  const t0 = Date.now();
  const service = join(work, adopted.name);
  cpSync(join(ROOT, adopted.fixture), service, { recursive: true });
  const modules = join(service, "node_modules");
  mkdirSync(join(modules, "@types"), { recursive: true });
  mkdirSync(join(modules, "@middy"), { recursive: true });
  symlinkSync(join(ROOT, "node_modules/serverless3"), join(modules, "serverless"), "dir");
  for (const name of adopted.linked) {
    symlinkSync(join(ROOT, "node_modules", name), join(modules, name));
  }
  // The guide's step 1 runs `npm install lambda-vitals` in a folder of its own: here, the tarball
  const registry = {
    install: async (dir) => {
      sh("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], dir);
    },
  };
  const { adoptVitals } = await loadGuideSteps(work);
  await adoptVitals(service, registry, adopted.handlers);
  if (adopted.tsc) {
    sh(process.execPath, [join(modules, "typescript/bin/tsc"), "-p", "tsconfig.json"], service);
  }
  const dir = join(work, `${adopted.name}-package`);
  const tmp = join(work, "tmp");
  mkdirSync(tmp, { recursive: true });
  sh(
    process.execPath,
    [join(modules, "serverless/bin/serverless.js"), "package", "--package", dir],
    service,
    {
      ...process.env,
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      TMPDIR: tmp,
    },
  );
  return { dir, seconds: (Date.now() - t0) / 1000 };
}
