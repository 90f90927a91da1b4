/**
 * Runs one worker measurement in a fresh node process with a Lambda-like environment, stdout sent
 * to /dev/null (or to a file for the byte count), and the result received over IPC.
 */
import { spawn } from "node:child_process";
import { openSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
const DEV_NULL = openSync("/dev/null", "w");

/**
 * What the Lambda runtime sets and the libraries read. Nothing else from the parent's environment
 * leaks in (POWERTOOLS_DEV would silence Powertools, NODE_OPTIONS would change the JIT).
 */
export const LAMBDA_ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  TZ: "UTC",
  AWS_REGION: "us-east-1",
  AWS_EXECUTION_ENV: "AWS_Lambda_nodejs24.x",
  AWS_LAMBDA_FUNCTION_NAME: "bench-fn",
  AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "1024",
  AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/bench-fn",
  AWS_LAMBDA_LOG_STREAM_NAME: "2026/11/25/[$LATEST]abcdef",
  AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
  _X_AMZN_TRACE_ID: "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
  // aws-embedded-metrics: write to stdout as in Lambda, instead of probing for a CloudWatch agent.
  AWS_EMF_ENVIRONMENT: "Lambda",
};

/**
 * @param {string} mode cold | warm | memory | capture
 * @param {string} bundle path of the bundled variant
 * @param {object} options for the worker
 * @param {{ stdout?: number, nodeArgs?: string[] }} [io]
 */
export function runChild(mode, bundle, options, io = {}) {
  const args = [...(io.nodeArgs ?? []), WORKER, mode, bundle, JSON.stringify(options)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      stdio: ["ignore", io.stdout ?? DEV_NULL, "inherit", "ipc"],
      env: LAMBDA_ENV,
    });
    let result;
    child.on("message", (message) => {
      result = message;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`worker ${mode} ${bundle} failed: exit ${code ?? signal}`));
    });
  });
}
