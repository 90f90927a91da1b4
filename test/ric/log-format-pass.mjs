/**
 * The sequential passes, one per log format (Text, JSON): every function gets its whole corpus in
 * one session; the health function then gets one more session per fake CloudWatch mode (ok, bad,
 * fail, hang, and hang with 400 ms left).
 */
import { checkSession } from "./checks.mjs";
import {
  deadlineSpecs,
  healthSpecs,
  httpSpecs,
  malformedSpecs,
  prng,
  randomSpecs,
} from "./corpus.mjs";
import { newStats } from "./report.mjs";
import { runSession } from "./sequential-session.mjs";
import { SEED } from "./settings.mjs";

/**
 * Runs every function under one log format; resolves with a report row per function.
 * `run` is main.mjs's run: { fixtures, cw, findings, livePids, log, ricSamples, extra, baseEnv }.
 *
 * @example
 * const rows = await runLogFormatPass(run, functions, "Text");
 * process.stdout.write(logFormatSection("Text", rows));
 */
export async function runLogFormatPass(run, functions, format) {
  const { fixtures, cw, findings, log, ricSamples, extra } = run;
  const F = fixtures.events;
  const rows = [];
  for (const fn of functions) {
    const rand = prng(SEED + fn.key.length * 7919);
    const specs = [
      ...httpSpecs(F, fn, rand),
      ...randomSpecs(F, rand, 24),
      ...malformedSpecs(F, rand),
      ...deadlineSpecs(F, fn, rand),
    ];
    const before = findings.violations.length;
    const stats = newStats();
    cw.mode = "ok";
    log(`${format} ${fn.key}: ${specs.length} invocations`);
    const session = await runSession({
      fn,
      dir: fn.dir,
      format,
      specs,
      extraEnv: run.baseEnv(fn),
      label: "",
      findings,
      livePids: run.livePids,
    });
    checkSession(session, fixtures, stats, ricSamples, findings);
    cw.dropHanging();
    if (fn.health) await runHealthModes(run, fn, format, stats);
    rows.push({ fn: fn.key, s: stats, v: findings.violations.length - before });
    for (const s of stats.statuses) extra.push(`${format} ${fn.key} non-HTTP event answered: ${s}`);
    for (const s of stats.ricLevel) extra.push(`${format} ${fn.key} RIC-level: ${s}`);
  }
  return rows;
}

/** One /health session per fake CloudWatch mode; CloudWatch must be asked in each. */
async function runHealthModes(run, fn, format, stats) {
  const { fixtures, cw, findings, ricSamples, extra } = run;
  const F = fixtures.events;
  for (const mode of ["ok", "bad", "fail", "hang", "hang-short"]) {
    cw.mode = mode === "hang-short" ? "hang" : mode;
    const queried = cw.requests.length;
    const hrand = prng(SEED + mode.length);
    const hspecs = healthSpecs(F, fn, hrand, mode === "hang-short" ? 400 : 1500);
    const hs = await runSession({
      fn,
      dir: fn.dir,
      format,
      specs: hspecs,
      extraEnv: run.baseEnv(fn),
      label: `cloudwatch ${mode}`,
      findings,
      livePids: run.livePids,
    });
    checkSession(hs, fixtures, stats, ricSamples, findings);
    cw.dropHanging();
    const asked = cw.requests.slice(queried);
    const gmd = asked.filter((r) => r.target.endsWith(".GetMetricData"));
    if (gmd.length === 0 && mode === "hang-short") {
      findings.note(
        `${format} ${fn.key}`,
        "with 400 ms left, /health answered without asking CloudWatch (and the result was then reused from the cache)",
      );
    } else if (gmd.length === 0)
      findings.violation(
        `${format} ${fn.key} [cloudwatch ${mode}]`,
        "health never queried CloudWatch",
        `${asked.length} requests: ${asked.map((r) => r.target || r.type).join(", ")}`,
      );
    const protocols = [...new Set(asked.map((r) => `${r.type} ${r.target}`))];
    const answers = hs.invocations
      .filter((i) => i.health)
      .map((i) => `${i.spec.name} → ${i.health.status} ${i.health.verdict} in ${i.health.ms} ms`);
    extra.push(
      `${format} health, CloudWatch ${mode}: ${gmd.length} GetMetricData (${protocols.join("; ")}); ${answers.join("; ")}`,
    );
    if (
      mode === "bad" &&
      hs.invocations.some((i) => i.health && i.spec.firstHealth && i.health.verdict !== "fail")
    ) {
      findings.note(
        `${format} ${fn.key}`,
        "CloudWatch data with 60% errors and 29 s p99 did not make /health fail",
      );
    }
  }
}
