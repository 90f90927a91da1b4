/**
 * `lambda-vitals dev`: what `npm start` gives the template, in any service that installed the
 * package. It runs the service's own Serverless CLI and serverless-offline, from the service's
 * folder, with the stack generator compiled into this file (the one the package's plugin has) and
 * the page's files beside it. scripts/build.mjs builds it into the package's `bin`; nothing that
 * `lambda-vitals`, `lambda-vitals/health` or `lambda-vitals/testing` loads imports it.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as generator from "../infra/entry";
import type { PageAssets } from "./dev-server";
import { startLocal, usageLine } from "./launcher";

const USAGE = [
  usageLine("lambda-vitals dev"),
  "",
  "Runs the service in this folder with its own serverless-offline on 127.0.0.1, with one line",
  "per request, the dashboard page over the local traffic, and a local CloudWatch for /health.",
].join("\n");

/** The files Serverless reads a service from, in the order it looks for them. */
const SERVICE_FILES = [
  "serverless.yml",
  "serverless.yaml",
  "serverless.json",
  "serverless.js",
  "serverless.cjs",
  "serverless.mjs",
  "serverless.ts",
];

/** What the command needs of the service, found from its folder; each absence says what to do. */
export interface ServiceTools {
  /** The service's Serverless CLI. */
  readonly cli: string;
}

/**
 * Finds the service's own Serverless CLI and checks that serverless-offline is installed beside
 * it; throws with what to run when either is missing, or when `dir` holds no service.
 *
 * @example
 * findServiceTools("/work/books").cli; // "/work/books/node_modules/serverless/bin/serverless.js"
 */
export function findServiceTools(dir: string): ServiceTools {
  if (!SERVICE_FILES.some((name) => existsSync(join(dir, name)))) {
    throw new Error(
      `no serverless.yml (or .yaml, .json, .js, .ts) in ${dir}: run lambda-vitals dev in the service's folder`,
    );
  }
  const require = createRequire(join(dir, "package.json"));
  const manifest = manifestOf(require, "serverless");
  if (manifest === undefined) {
    throw new Error(
      "the service has no Serverless CLI installed: npm install --save-dev serverless@3 " +
        '(or "serverless": "npm:osls@^4" for v4)',
    );
  }
  if (manifestOf(require, "serverless-offline") === undefined) {
    throw new Error(
      "lambda-vitals dev runs the service's own serverless-offline: npm install --save-dev " +
        "serverless-offline, and list it under plugins in serverless.yml",
    );
  }
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin?: unknown };
  const path =
    typeof bin === "string" ? bin : (bin as Record<string, unknown> | undefined)?.serverless;
  if (typeof path !== "string") throw new Error(`${manifest} names no serverless bin`);
  return { cli: join(dirname(manifest), path) };
}

/**
 * A package's package.json where Node would find the package from the service: read from the
 * folders `require` searches, since a package's `exports` may not export its package.json.
 */
function manifestOf(require: NodeRequire, name: string): string | undefined {
  return (require.resolve.paths(name) ?? [])
    .map((folder) => join(folder, name, "package.json"))
    .find((path) => existsSync(path));
}

/** The page's files, as scripts/build.mjs copies them beside this file: `page/`, uPlot in it. */
function packagedAssets(dir: string): PageAssets {
  const page = join(dir, "page");
  return {
    page,
    uplotJs: join(page, "vendor", "uPlot.iife.min.js"),
    uplotCss: join(page, "vendor", "uPlot.min.css"),
  };
}

/**
 * Runs `lambda-vitals <argv>` in `cwd`; answers the exit code. Messages go to stderr, with the
 * usage line for a command or flag it does not know.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), process.cwd(), __dirname);
 */
export async function runCli(
  argv: readonly string[],
  cwd: string,
  ownDir: string,
): Promise<number> {
  const [command, ...flags] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== "dev") {
    process.stderr.write(`lambda-vitals: unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  try {
    const { cli } = findServiceTools(cwd);
    return await startLocal({
      command: "lambda-vitals dev",
      root: cwd,
      argv: flags,
      cli,
      generator: async () => generator,
      assets: packagedAssets(ownDir),
    });
  } catch (error) {
    process.stderr.write(
      `lambda-vitals dev: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  }
}
