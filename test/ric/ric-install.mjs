/**
 * The AWS Lambda Runtime Interface Client, built once into its cache directory.
 *
 * It is NOT a project dependency. Its install scripts build curl and aws-lambda-cpp from the
 * sources inside its package and a native addon with node-gyp (cmake, make, g++, python3, xz), so
 * it lives in a cache directory, `~/.cache/lambda-vitals-ric` (or `$RIC_DIR`). npm 11 runs a
 * dependency's install scripts only when allowed: the cache directory gets its own package.json
 * whose `allowScripts` names aws-lambda-ric, and then `npm install --no-save --foreground-scripts
 * aws-lambda-ric@<version>` runs there. Delete the directory to rebuild.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { RIC_DIR, RIC_PKG, RIC_VERSION } from "./settings.mjs";

/**
 * Builds the RIC unless the cache already holds this version with its native addon.
 *
 * @example
 * const ric = ensureRic(log); // { built: true, seconds: 95 } the first time, then { built: false }
 */
export function ensureRic(log) {
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
      env: { ...process.env, ...localNodeHeaders() },
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
  return { built: true, seconds: (Date.now() - t0) / 1000 };
}

/**
 * node-gyp builds the addon against Node's headers, and downloads them unless told where they
 * are. A Node installed with its headers (`<prefix>/include/node`, as Debian's and the official
 * tarballs have them) needs no download: point npm's `nodedir` there unless it is already set.
 */
function localNodeHeaders() {
  if (process.env.npm_config_nodedir !== undefined) return {};
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, "include", "node", "common.gypi"))
    ? { npm_config_nodedir: prefix }
    : {};
}
