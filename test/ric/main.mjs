#!/usr/bin/env node
/**
 * The real-runtime check (`npm run test:ric`; CI runs it after `npm test`): runs the bundles that
 * `serverless package` writes, the template's and the two adopted services' (test/fixtures/
 * tsc-service, built by tsc alone, functions named `books-*`; test/fixtures/existing-service,
 * bundled by serverless-esbuild, `todos-*`), under the real AWS Lambda Runtime Interface Client
 * (aws-lambda-ric),
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
 * Where each part lives:
 *   settings.mjs                   the environment read, limits, dummy credentials
 *   ric-install.mjs                the RIC, built once into its cache directory
 *   bundles.mjs                    serverless package, the functions, what each bundle requires
 *   adopted-service.mjs            both adoption fixtures, adopted and packaged beside the template
 *   corpus.mjs                     the events each function is invoked with
 *   fake-cloudwatch.mjs            the fake CloudWatch for the health checks
 *   runtime-api.mjs                the fake Runtime API's shared parts
 *   runtime-process.mjs            the RIC as a child process
 *   session-lifecycle.mjs          start, restart, time limit and end of a session
 *   sequential-session.mjs         one invocation at a time (on-demand Lambda)
 *   managed-instances-session.mjs  many in flight at once (Managed Instances)
 *   log-format-pass.mjs            the Text and JSON passes
 *   managed-instances-pass.mjs     the Managed Instances pass
 *   checks.mjs, health-checks.mjs  what each session's record must satisfy
 *   findings.mjs, report.mjs       violations and notes; the tables and the closing line
 *
 * Exits non-zero on any violation; the last line is `Tests: N passed, N failed`, one test per
 * function and pass, plus the packaged functions and the Managed Instances overlap.
 *
 * Environment: RIC_DIR (cache directory, default ~/.cache/lambda-vitals-ric-node24), RIC_E2E_SEED
 * (repeat a run's random paths), RIC_E2E_VERBOSE=1 (print every stdout/stderr line of the
 * functions), RIC_NODE (the node binary that runs the RIC; default: the pinned Node 24 that
 * node-install.mjs installs, as Lambda's nodejs24.x runs Node 24),
 * RIC_E2E_MI_WORKERS (the RIC's worker threads in the Managed Instances pass,
 * AWS_LAMBDA_NODEJS_WORKER_COUNT; default 1).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADOPTED_SERVICES, packageAdoptedService, packPackage } from "./adopted-service.mjs";
import { loadFixtures, packageService, readFunctions, unpackFunction } from "./bundles.mjs";
import { callbackSection, runCallbackPass } from "./callback-pass.mjs";
import { startCloudWatch } from "./fake-cloudwatch.mjs";
import { logger, newFindings } from "./findings.mjs";
import { runLogFormatPass } from "./log-format-pass.mjs";
import { runManagedInstancesPass } from "./managed-instances-pass.mjs";
import { ensureNode } from "./node-install.mjs";
import { closingReport, logFormatSection, managedInstancesSection } from "./report.mjs";
import { ensureRic } from "./ric-install.mjs";
import {
  CREDENTIALS,
  FORMATS,
  NODE,
  RIC_DIR,
  RIC_VERSION,
  ROOT,
  RUN_LIMIT_MS,
  SEED,
} from "./settings.mjs";

async function main() {
  const started = Date.now();
  const log = logger(started);
  const findings = newFindings();
  /** Runtime processes alive now: stopped, with the work directory, on Ctrl-C and on give-up. */
  const livePids = new Set();
  const work = mkdtempSync(join(tmpdir(), "ric-e2e-"));
  const emergencyStop = (code) => {
    for (const pid of livePids) {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    rmSync(work, { recursive: true, force: true });
    process.stdout.write("\nTests: 0 passed, 1 failed\n");
    process.exit(code);
  };
  const runTimer = setTimeout(() => {
    process.stderr.write(`ric-e2e: gave up after ${RUN_LIMIT_MS / 60_000} minutes\n`);
    emergencyStop(3);
  }, RUN_LIMIT_MS);
  runTimer.unref();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"])
    process.on(signal, () => emergencyStop(130));
  const cleanups = [() => rmSync(work, { recursive: true, force: true })];
  try {
    const node = ensureNode(log);
    log(`the RIC runs on node ${node.version} (${NODE})`);
    const ric = ensureRic(node, log);
    log(
      ric.built
        ? `RIC built in ${ric.seconds.toFixed(0)} s`
        : `RIC ${RIC_VERSION} cached in ${RIC_DIR}`,
    );
    const fixtures = await loadFixtures(work);
    const pkg = packageService(work);
    log(`packaged in ${pkg.seconds.toFixed(1)} s`);
    const functions = readFunctions(pkg.dir, findings);
    const tarball = packPackage(work);
    for (const service of ADOPTED_SERVICES) {
      const adopted = await packageAdoptedService(work, service, tarball);
      log(`the adopted ${service.fixture} packaged in ${adopted.seconds.toFixed(1)} s`);
      for (const fn of readFunctions(adopted.dir, findings)) {
        functions.push({ ...fn, key: `${service.name}-${fn.key}` });
      }
    }
    const cw = await startCloudWatch();
    cleanups.unshift(() => cw.close());
    const sdkPath = join(work, "runtime-node-modules");
    mkdirSync(sdkPath);
    const projectSdk = join(ROOT, "node_modules", "@aws-sdk");
    if (existsSync(projectSdk)) symlinkSync(projectSdk, join(sdkPath, "@aws-sdk"), "dir");

    log(`seed ${SEED}; functions: ${functions.map((f) => f.key).join(", ")}`);
    for (const fn of functions) unpackFunction(fn, work, findings);
    const setUpFailed = findings.violations.length > 0;
    const run = {
      fixtures,
      cw,
      findings,
      livePids,
      log,
      ricSamples: new Map(),
      extra: [],
      baseEnv: (fn) => ({
        ...CREDENTIALS,
        AWS_ENDPOINT_URL_CLOUDWATCH: cw.url,
        ...(fn.externalSdk.length > 0 ? { NODE_PATH: sdkPath } : {}),
      }),
    };

    const rows = [];
    for (const format of FORMATS) {
      const formatRows = await runLogFormatPass(run, functions, format);
      process.stdout.write(logFormatSection(format, formatRows));
      rows.push(...formatRows);
    }
    const mi = await runManagedInstancesPass(run, functions);
    process.stdout.write(managedInstancesSection(mi.rows));
    rows.push(...mi.rows);
    const callbacks = await runCallbackPass(run, work);
    process.stdout.write(callbackSection(callbacks.rows));

    const outcomes = [setUpFailed, mi.overlapFailed, callbacks.failed, ...rows.map((r) => r.v > 0)];
    let failed = outcomes.filter(Boolean).length;
    // Every violation fails some test; should one be counted nowhere, it still fails the run.
    if (failed === 0 && findings.violations.length > 0) failed = 1;
    const checks = { passed: outcomes.length - failed, failed };
    process.stdout.write(
      closingReport({ started, ricSamples: run.ricSamples, extra: run.extra, findings, checks }),
    );
    return findings.violations.length === 0 ? 0 : 1;
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`ric-e2e: ${error?.stack ?? error}\n`);
    process.stdout.write("\nTests: 0 passed, 1 failed\n");
    process.exitCode = 2;
  },
);
