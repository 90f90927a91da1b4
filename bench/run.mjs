/**
 * `npm run bench`: raw, limit, lambda-vitals, Powertools (middy) and aws-embedded-metrics, side by
 * side on the same workload, each measurement in fresh processes, rounds alternating the order of
 * variants so that machine drift hits all alike. Prints a markdown table and writes it to
 * bench/results.md.
 *
 *   npm run bench                      the default run (about 2 minutes on 2 cores)
 *   npm run bench -- --long            also 1,000,000 invocations for every variant (memory)
 *   npm run bench -- --profile [<rev>] CPU profiles of limit, lambda-vitals and the recording
 *                                      handler (and, given <rev>, of revision <rev>'s library
 *                                      beside them), and the example bundle's anatomy, only →
 *                                      bench/profile.md
 *   npm run bench -- --compare <rev>   this tree's library against revision <rev>'s, on the plain
 *                                      and the recording path, only → bench/compare.md
 *   BENCH_ROUNDS=30 npm run bench      more warm rounds (also BENCH_COLD_ROUNDS, BENCH_MEMORY_ROUNDS;
 *                                      for --compare, BENCH_COMPARE_ROUNDS and BENCH_AB_PROCESSES)
 */

import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { anatomy } from "./anatomy.mjs";
import { buildAll, EXAMPLES, VARIANTS } from "./build.mjs";
import { checkOutputs } from "./check.mjs";
import { runChild } from "./child.mjs";
import { checkout, compare } from "./compare.mjs";
import { profileVariants } from "./profile.mjs";
import { median, quantile, slope } from "./stats.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, "bench/.out");
const args = process.argv.slice(2);
const flags = new Set(args);
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const CONFIG = {
  warmRounds: env("BENCH_ROUNDS", 25),
  warm: { warmup: env("BENCH_WARMUP", 10_000), batches: 5, n: env("BENCH_N", 10_000) },
  coldRounds: env("BENCH_COLD_ROUNDS", 30),
  jsOnlyRounds: env("BENCH_JS_ROUNDS", 15),
  memoryRounds: env("BENCH_MEMORY_ROUNDS", 3),
  memory: { total: 100_000, every: 20_000 },
  long: { total: 1_000_000, every: 100_000 },
  captureInvocations: 50,
  sameProcess: { processes: env("BENCH_AB_PROCESSES", 4), pairs: 20, n: 10_000, warmup: 20_000 },
};
const OURS = "lambda-vitals";
/** The same handler recording a metric, a dimension and a property of its own. */
const RECORDING = "lambda-vitals-metrics";
const BUDGET = {
  overheadRatio: 1.3,
  // Restated in issue 13 (it was 6 KiB for the example in issue 5, which features ruled out).
  bundleVsPowertools: 0.6,
  coldOverRawMs: 2,
  heapGrowthBytesPerInvocation: 1,
  lineBytes: 600,
};

/**
 * Issue 22's targets, each against the limit in the same run. The bundles may be no larger than
 * they were when it was filed: the benchmark's handler 11,715 B, the recording variant 18,317 B.
 */
const BUDGET_22 = {
  jsOnlyOverheadRatio: 1.2,
  overheadRatio: 1.15,
  coldOverRawRatio: 2,
  bundleBytes: 11_715,
  recordingBundleBytes: 18_317,
};
/** The variants timed again with stdout's write stubbed: the part each library controls. */
const JS_ONLY = ["raw", "limit", OURS];

const log = (text) => process.stderr.write(`${text}\n`);

/** Which library code was measured: the commit, and whether functions/ had uncommitted changes. */
function revision() {
  if (process.env.BENCH_REVISION) return process.env.BENCH_REVISION;
  try {
    const git = (...args) =>
      execFileSync("git", args, {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    const dirty = git("status", "--porcelain", "--", "functions") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " + uncommitted changes in functions/" : ""}`;
  } catch {
    return "unknown revision";
  }
}

/** r1: A B C D E, r2: E D C B A, ... */
function orderOf(round, variants) {
  return round % 2 === 0 ? variants : [...variants].reverse();
}

async function rounds(count, measure, variants = VARIANTS) {
  const results = Object.fromEntries(variants.map((v) => [v, []]));
  for (let round = 0; round < count; round++) {
    for (const variant of orderOf(round, variants)) {
      results[variant].push(await measure(variant, round));
    }
  }
  return results;
}

/** Sanity pass and bytes per invocation: stdout to a file, its size after each invocation. */
async function capture(bundles) {
  const result = {};
  for (const variant of VARIANTS) {
    const file = join(OUT, `${variant}.stdout`);
    const fd = openSync(file, "w");
    let offsets;
    try {
      ({ offsets } = await runChild(
        "capture",
        bundles[variant].file,
        { n: CONFIG.captureInvocations },
        { stdout: fd },
      ));
    } finally {
      closeSync(fd);
    }
    const text = readFileSync(file);
    const outputs = offsets.slice(1).map((end, i) => text.subarray(offsets[i], end).toString());
    const { lines } = checkOutputs(variant, outputs);
    const bytes = offsets.slice(1).map((end, i) => end - offsets[i]);
    result[variant] = {
      coldBytes: bytes[0],
      coldLines: lines[0],
      warmBytes: median(bytes.slice(1)),
      sample: outputs[1]?.trim() ?? "",
    };
  }
  return result;
}

async function memory(bundles, variants, options) {
  const result = {};
  for (const variant of variants) {
    const runs = [];
    for (let round = 0; round < (options === CONFIG.long ? 1 : CONFIG.memoryRounds); round++) {
      runs.push(
        await runChild("memory", bundles[variant].file, options, { nodeArgs: ["--expose-gc"] }),
      );
    }
    const summaries = runs.map(({ samples }) => {
      const first = samples[0];
      const last = samples.at(-1);
      const points = samples.map((s) => ({ x: s.invocations, y: s.heapUsed }));
      return {
        rss: last.rss,
        heap: last.heapUsed,
        growth: last.heapUsed - first.heapUsed,
        slope: slope(points),
        samples,
      };
    });
    result[variant] = {
      rss: median(summaries.map((s) => s.rss)),
      heap: median(summaries.map((s) => s.heap)),
      growth: median(summaries.map((s) => s.growth)),
      slope: median(summaries.map((s) => s.slope)),
      samples: summaries[0].samples,
    };
  }
  return result;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)}`;
const us = (ns) => (ns / 1000).toFixed(2);
const x = (ratio) => `${ratio.toFixed(2)}×`;

function report({ bundles, bytes, warm, jsOnly, cold, mem, long, started }) {
  const raw = warm.raw;
  const overhead = {};
  const ratio = {};
  for (const v of VARIANTS) overhead[v] = warm[v].map((ns, r) => ns - raw[r]);
  for (const v of VARIANTS) ratio[v] = overhead[v].map((o, r) => o / overhead.limit[r]);
  const coldOver = (v) => median(cold[v].map((c, r) => c.coldMs - cold.raw[r].coldMs));
  const coldMs = (v) => median(cold[v].map((c) => c.coldMs));
  const processMs = (v) => median(cold[v].map((c) => c.sinceProcessStartMs));

  let md = `# lambda-vitals benchmark\n\n`;
  md += `Reproduce: \`npm run bench\` (this table is written to \`bench/results.md\`).\n\n`;
  md += `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model.trim()}), `;
  md += `${new Date(started).toISOString().slice(0, 16)}Z, ${((Date.now() - started) / 1000).toFixed(0)} s, `;
  md += `library at ${revision()}. `;
  md += `Warm: ${CONFIG.warmRounds} rounds × one fresh process per variant (order alternating), `;
  md += `${CONFIG.warm.warmup} warm-up invocations then ${CONFIG.warm.batches} × ${CONFIG.warm.n} `;
  md += `timed sequential awaited invocations, stdout → /dev/null; a round's figure is the median `;
  md += `batch, the table's the median round (p25–p75 in brackets). Overhead = variant − raw in the `;
  md += `same round; ratios are per round, then the median. Cold: ${CONFIG.coldRounds} fresh `;
  md += `processes per variant, \`require\` of the bundle + first invocation. Memory: `;
  md += `${CONFIG.memory.total} invocations, median of ${CONFIG.memoryRounds} processes.\n\n`;

  md += "| variant | warm µs/inv | overhead µs | overhead ÷ limit's | cold ms (import + 1st) ";
  md += "| cold over raw ms | process start → 1st done ms | bundle min | gzip | bundle ÷ ours ";
  md += "| RSS after 100k MB | heap after GC MB | warm line B | cold output B |\n";
  md += "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const v of VARIANTS) {
    const spread = `(${us(quantile(warm[v], 0.25))}–${us(quantile(warm[v], 0.75))})`;
    const o = v === "raw" ? "—" : us(median(overhead[v]));
    const r = v === "raw" ? "—" : x(median(ratio[v]));
    const b = bundles[v];
    const lines = bytes[v].coldLines > 1 ? ` (${bytes[v].coldLines} lines)` : "";
    md += `| ${v} | ${us(median(warm[v]))} ${spread} | ${o} | ${r} | ${coldMs(v).toFixed(2)} `;
    md += `| ${v === "raw" ? "—" : coldOver(v).toFixed(2)} | ${processMs(v).toFixed(1)} `;
    md += `| ${b.bytes} | ${b.gzip} | ${x(b.bytes / bundles[OURS].bytes)} `;
    md += `| ${mib(mem[v].rss)} | ${mib(mem[v].heap)} | ${bytes[v].warmBytes} `;
    md += `| ${bytes[v].coldBytes}${lines} |\n`;
  }
  const example = bundles[`example:${EXAMPLES[0]}`];
  md += "\nExample functions, each bundled alone as `package.individually` deploys them:\n\n";
  for (const name of EXAMPLES) {
    const b = bundles[`example:${name}`];
    md += `- \`functions/${name}.ts\`: ${b.bytes} B minified (${kib(b.bytes)}), ${b.gzip} B gzip\n`;
  }

  const ours = median(ratio[OURS]);
  const bundleRatio = bundles[OURS].bytes / bundles.powertools.bytes;
  const coldOurs = coldOver(OURS);
  const memOurs = long[OURS] ?? mem[OURS];
  const memTotal = long[OURS] ? CONFIG.long.total : CONFIG.memory.total;
  const line = bytes[OURS].warmBytes;
  const verdict = (ok) => (ok ? "**PASS**" : "**MISS**");
  md += "\n## Budget (issue 5)\n\n";
  md += `- ${verdict(ours <= BUDGET.overheadRatio)} warm overhead ${us(median(overhead[OURS]))} µs = `;
  md += `${x(ours)} the limit's ${us(median(overhead.limit))} µs (target ≤ ${BUDGET.overheadRatio}×; `;
  md += `Powertools ${x(median(ratio.powertools))}, aws-embedded-metrics `;
  md += `${x(median(ratio["aws-embedded-metrics"]))})\n`;
  md += `- ${verdict(bundleRatio <= BUDGET.bundleVsPowertools)} bundle: the benchmark's handler, `;
  md += `the same workload as the peers', is ${bundles[OURS].bytes} B minified, `;
  md += `${bundleRatio.toFixed(3)}× Powertools' ${bundles.powertools.bytes} B (target ≤ `;
  md += `${BUDGET.bundleVsPowertools}×); the example \`functions/${EXAMPLES[0]}.ts\`, which also `;
  md += `records its own metrics, is ${example.bytes} B\n`;
  md += `- ${verdict(coldOurs <= BUDGET.coldOverRawMs)} cold start ${coldOurs.toFixed(2)} ms over `;
  md += `raw (target ≤ ${BUDGET.coldOverRawMs} ms)\n`;
  const growthOk = memOurs.slope <= BUDGET.heapGrowthBytesPerInvocation;
  md += `- ${verdict(growthOk)} memory: heap after GC grew ${(memOurs.growth / 1024).toFixed(0)} KiB `;
  md += `over ${memTotal.toLocaleString("en")} invocations, trend (Theil–Sen) ${memOurs.slope.toFixed(3)} B/invocation `;
  md += `(target: no growth, taken as ≤ ${BUDGET.heapGrowthBytesPerInvocation} B/invocation)\n`;
  md += `- ${verdict(line < BUDGET.lineBytes)} typical success line ${line} B (target < `;
  md += `${BUDGET.lineBytes} B; limit's ${bytes.limit.warmBytes} B)\n`;

  const jsRatio = median(
    jsOnly[OURS].map((ns, r) => (ns - jsOnly.raw[r]) / (jsOnly.limit[r] - jsOnly.raw[r])),
  );
  const coldRatio = coldOurs / coldOver("limit");
  const recording = bundles[RECORDING].bytes;
  md += "\n## Budget (issue 22), against the limit in this run\n\n";
  md += `- ${verdict(jsRatio <= BUDGET_22.jsOnlyOverheadRatio)} JavaScript only (stdout's write `;
  md += `stubbed, ${CONFIG.jsOnlyRounds} rounds of raw, the limit and lambda-vitals): overhead `;
  md += `${x(jsRatio)} the limit's (target ≤ ${BUDGET_22.jsOnlyOverheadRatio}×)\n`;
  md += `- ${verdict(ours <= BUDGET_22.overheadRatio)} total overhead ${x(ours)} the limit's `;
  md += `(target ≤ ${BUDGET_22.overheadRatio}×)\n`;
  md += `- ${verdict(coldRatio <= BUDGET_22.coldOverRawRatio)} cold start over raw `;
  md += `${coldOurs.toFixed(2)} ms = ${x(coldRatio)} the limit's ${coldOver("limit").toFixed(2)} ms `;
  md += `(medians; target ≤ ${BUDGET_22.coldOverRawRatio}×)\n`;
  const bundlesOk =
    bundles[OURS].bytes <= BUDGET_22.bundleBytes && recording <= BUDGET_22.recordingBundleBytes;
  md += `- ${verdict(bundlesOk)} bundles: the benchmark's handler ${bundles[OURS].bytes} B `;
  md += `(target ≤ ${BUDGET_22.bundleBytes} B), the recording variant ${recording} B `;
  md += `(target ≤ ${BUDGET_22.recordingBundleBytes} B)\n`;
  md += `- ${verdict(growthOk)} memory flat over ${memTotal.toLocaleString("en")} invocations `;
  md += `(${memOurs.slope.toFixed(3)} B/invocation, as above)\n`;

  if (Object.keys(long).length > 0) {
    md += `\n## Heap after GC over ${CONFIG.long.total.toLocaleString("en")} invocations (MB)\n\n`;
    const heads = long[OURS].samples.map((s) => `${s.invocations / 1000}k`);
    md += `| variant | ${heads.join(" | ")} | B/inv trend |\n|---|${heads.map(() => "---:").join("|")}|---:|\n`;
    for (const [v, m] of Object.entries(long)) {
      md += `| ${v} | ${m.samples.map((s) => (s.heapUsed / 1e6).toFixed(2)).join(" | ")} `;
      md += `| ${m.slope.toFixed(3)} |\n`;
    }
  }

  md += "\n## Bundle breakdown (bytes in the minified output, per input file)\n\n";
  for (const name of [OURS, `example:${EXAMPLES[0]}`]) {
    md += `\n${name} (${bundles[name].bytes} B):\n\n| input | bytes |\n|---|---:|\n`;
    for (const input of bundles[name].inputs.filter((i) => i.bytes > 0)) {
      md += `| ${input.path} | ${input.bytes} |\n`;
    }
  }
  md += "\n## A typical success line\n\n";
  for (const v of VARIANTS.filter((name) => name !== "raw")) {
    md += `${v} (${bytes[v].warmBytes} B):\n\n\`\`\`json\n${bytes[v].sample}\n\`\`\`\n\n`;
  }
  return md;
}

async function main() {
  const started = Date.now();
  if (flags.has("--compare")) {
    const rev = args[args.indexOf("--compare") + 1];
    if (rev === undefined || rev.startsWith("--"))
      throw new Error("--compare needs a git revision");
    mkdirSync(OUT, { recursive: true });
    const md = await compare(ROOT, rev, {
      rounds: env("BENCH_COMPARE_ROUNDS", 10),
      warm: CONFIG.warm,
      sameProcess: CONFIG.sameProcess,
    });
    writeFileSync(join(ROOT, "bench/compare.md"), md);
    process.stdout.write(md);
    return;
  }
  if (flags.has("--profile")) {
    const rev = args[args.indexOf("--profile") + 1];
    const against = rev === undefined || rev.startsWith("--") ? undefined : rev;
    const loop = { warmup: 20_000, batches: 5, n: 40_000 };
    let md = `# lambda-vitals profiles (library at ${revision()}${against ? `, and at ${against}` : ""})\n\n`;
    md += await profileVariants(ROOT, ["limit", OURS, RECORDING], {
      ...loop,
      label: "this tree",
      outDir: join(OUT, "prof"),
    });
    if (against !== undefined) {
      const base = checkout(ROOT, against);
      try {
        md += await profileVariants(base, [OURS, RECORDING], {
          ...loop,
          label: against,
          outDir: join(OUT, `prof-${against}`),
        });
      } finally {
        rmSync(base, { recursive: true, force: true });
      }
    }
    md += await anatomy(ROOT, `functions/${EXAMPLES[0]}.ts`);
    writeFileSync(join(ROOT, "bench/profile.md"), md);
    process.stdout.write(md);
    return;
  }
  log("building bundles (esbuild, minified, node22, cjs) …");
  const bundles = await buildAll(ROOT, { variants: [...VARIANTS, RECORDING] });
  log("sanity pass: parsing each variant's EMF output …");
  const bytes = await capture(bundles);
  log(`cold start: ${CONFIG.coldRounds} rounds …`);
  const cold = await rounds(CONFIG.coldRounds, (v) => runChild("cold", bundles[v].file, {}));
  log(`warm: ${CONFIG.warmRounds} rounds …`);
  const warm = await rounds(CONFIG.warmRounds, async (v, round) => {
    const { batches } = await runChild("warm", bundles[v].file, CONFIG.warm);
    if (v === OURS) log(`  round ${round + 1}: ${OURS} ${us(median(batches))} µs/inv`);
    return median(batches);
  });
  log(`JavaScript only: ${CONFIG.jsOnlyRounds} rounds of ${JS_ONLY.join(", ")} …`);
  // The warm loop with `process.stdout.write` stubbed, for raw, the limit and ours.
  const jsOnlyOptions = { ...CONFIG.warm, stubStdout: true };
  const jsOnly = await rounds(
    CONFIG.jsOnlyRounds,
    async (v) => median((await runChild("warm", bundles[v].file, jsOnlyOptions)).batches),
    JS_ONLY,
  );
  log(`memory: ${CONFIG.memory.total} invocations × ${CONFIG.memoryRounds} …`);
  const mem = await memory(bundles, VARIANTS, CONFIG.memory);
  const longVariants = flags.has("--long") ? VARIANTS : [OURS];
  log(`memory: ${CONFIG.long.total} invocations for ${longVariants.join(", ")} …`);
  const long = await memory(bundles, longVariants, CONFIG.long);
  const md = report({ bundles, bytes, warm, jsOnly, cold, mem, long, started });
  writeFileSync(join(ROOT, "bench/results.md"), md);
  process.stdout.write(md);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
