/**
 * The Managed Instances pass: AWS_LAMBDA_MAX_CONCURRENCY set, invocations overlapping in one
 * process. The health function waits on a slow fake CloudWatch (no cache), so they do overlap: it
 * must reach 4 invocations in flight at once, and the pass as a whole at least 2, or it proves
 * nothing.
 */
import { checkSession } from "./checks.mjs";
import {
  concurrentHealthSpecs,
  httpSpecs,
  malformedSpecs,
  prng,
  randomSpecs,
  withDistinctTraces,
} from "./corpus.mjs";
import { runConcurrentSession } from "./managed-instances-session.mjs";
import { newStats } from "./report.mjs";
import { MI_CLOUDWATCH_MS, MI_CONCURRENCY, MI_WORKERS, SEED } from "./settings.mjs";

/**
 * Runs every function as on Managed Instances; resolves with a report row per function.
 *
 * @example
 * const rows = await runManagedInstancesPass(run, functions);
 * process.stdout.write(managedInstancesSection(rows));
 */
export async function runManagedInstancesPass(run, functions) {
  const { fixtures, cw, findings, log, ricSamples, extra } = run;
  const F = fixtures.events;
  const rows = [];
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
    const before = findings.violations.length;
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
      extraEnv: { ...run.baseEnv(fn), ...(fn.health ? { HEALTH_CACHE_MS: "0" } : {}) },
      label,
      maxConcurrency: MI_CONCURRENCY,
      findings,
      livePids: run.livePids,
    });
    checkSession(session, fixtures, stats, ricSamples, findings);
    cw.dropHanging();
    cw.slow = undefined;
    stats.maxInFlight = session.maxInFlight;
    stats.overlapped = session.overlapped;
    stats.maxWaitingNext = session.maxWaitingNext;
    miMax = Math.max(miMax, session.maxInFlight);
    const where = `MI ${fn.key} [${label}]`;
    if (fn.health && session.maxInFlight < 4) {
      findings.violation(
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
    rows.push({ fn: fn.key, s: stats, v: findings.violations.length - before });
    for (const s of stats.statuses) extra.push(`MI ${fn.key} non-HTTP event answered: ${s}`);
  }
  const overlapBefore = findings.violations.length;
  if (functions.length > 0 && miMax < 2) {
    findings.violation("MI", "no two invocations were ever in flight at once", `max ${miMax}`);
  }
  return { rows, overlapFailed: findings.violations.length > overlapBefore };
}
