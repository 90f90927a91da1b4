/**
 * The AWS Lambda Runtime Interface Client, built once into its cache directory.
 *
 * It is NOT a project dependency. Its install scripts build curl and aws-lambda-cpp from the
 * sources inside its package and a native addon with node-gyp (cmake, make, g++, python3, xz), so
 * it lives in a cache directory, `~/.cache/lambda-vitals-ric-node24` (or `$RIC_DIR`). npm 11 runs
 * a dependency's install scripts only when allowed: the cache directory gets its own package.json
 * whose `allowScripts` names aws-lambda-ric, and then `npm install --no-save --foreground-scripts
 * aws-lambda-ric@<version>` runs there, under the Node that will run the RIC (first on PATH) and
 * against its headers (`npm_config_nodedir`), so the addon is built for that Node's ABI. Delete
 * the directory to rebuild.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { NODE, RIC_DIR, RIC_PKG, RIC_VERSION } from "./settings.mjs";

/** Which Node ABI the cache's addon was built for, written after a build. */
const BUILT_FOR = "built-for.json";

/**
 * Builds the RIC unless the cache already holds this version with its native addon. `node` is
 * what `ensureNode` gave: the Node that runs the RIC and its headers' directory.
 *
 * @example
 * const ric = ensureRic(node, log); // { built: true, seconds: 95 } the first time, then { built: false }
 */
export function ensureRic(node, log) {
  const abi = abiOf(NODE);
  const installed = join(RIC_PKG, "package.json");
  if (existsSync(join(RIC_PKG, "rapid-client.node")) && existsSync(installed)) {
    const version = JSON.parse(readFileSync(installed, "utf8")).version;
    const marker = join(RIC_DIR, BUILT_FOR);
    const builtFor = existsSync(marker) ? JSON.parse(readFileSync(marker, "utf8")).abi : abi;
    if (builtFor !== abi) {
      throw new Error(
        `the RIC in ${RIC_DIR} was built for Node ABI ${builtFor}, and ${NODE} is ABI ${abi}: set RIC_DIR to a directory of its own`,
      );
    }
    if (version === RIC_VERSION) return { built: false, seconds: 0 };
  }
  log(
    `installing aws-lambda-ric@${RIC_VERSION} into ${RIC_DIR} for ${node.version} (native build)...`,
  );
  mkdirSync(RIC_DIR, { recursive: true });
  const manifest = {
    name: "lambda-vitals-ric-cache",
    private: true,
    description: "Cache for test/ric (npm run test:ric): not part of the project's install",
    allowScripts: { [`aws-lambda-ric@${RIC_VERSION}`]: true },
  };
  writeFileSync(join(RIC_DIR, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const t0 = Date.now();
  const npm = spawnSync(
    "npm",
    ["install", "--no-save", "--foreground-scripts", `aws-lambda-ric@${RIC_VERSION}`],
    {
      cwd: RIC_DIR,
      env: {
        ...process.env,
        // npm, its scripts and node-gyp run under the RIC's Node, and build against its headers
        PATH: `${dirname(NODE)}${delimiter}${process.env.PATH ?? ""}`,
        ...(node.nodedir === undefined ? {} : { npm_config_nodedir: node.nodedir }),
      },
      encoding: "utf8",
      timeout: 20 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  writeFileSync(join(RIC_DIR, "install.log"), `${npm.stdout ?? ""}\n${npm.stderr ?? ""}`);
  if (npm.status !== 0 || !existsSync(join(RIC_PKG, "rapid-client.node"))) {
    process.stderr.write(`${(npm.stderr ?? "").split("\n").slice(-30).join("\n")}\n`);
    throw new Error(`aws-lambda-ric install failed (log: ${join(RIC_DIR, "install.log")})`);
  }
  writeFileSync(join(RIC_DIR, BUILT_FOR), `${JSON.stringify({ abi, node: node.version })}\n`);
  return { built: true, seconds: (Date.now() - t0) / 1000 };
}

/** `process.versions.modules` of a node binary: the ABI a native addon is built for. */
function abiOf(node) {
  const run = spawnSync(node, ["-p", "process.versions.modules"], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`cannot run ${node}: ${run.stderr ?? run.error}`);
  return String(run.stdout).trim();
}
