/**
 * `npm run bench -- --compare <rev>`: the library in the working tree against the library at git
 * revision `<rev>`, on the plain path (`lambda-vitals`, a handler that records nothing) and the
 * recording path (`lambda-vitals-metrics`), each with the real write to stdout and with the write
 * stubbed (JavaScript only, the part the library controls). Both libraries are bundled with the
 * same variant sources, beside `raw` and `limit` from this tree; rounds alternate the order of the
 * bundles, each measured in a fresh process, and each round's ratio (this tree ÷ `<rev>`, and each
 * overhead over raw ÷ the limit's) is taken before the median, so machine drift cancels.
 * Batches are timed in CPU time, not wall time: on a shared machine, time spent waiting for a
 * core would otherwise swamp a difference of a microsecond.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { runChild } from "./child.mjs";
import { fromPackage, installPackage } from "./package.mjs";
import { median, quantile } from "./stats.mjs";

const PATHS = ["lambda-vitals", "lambda-vitals-metrics"];
/** The floor and the hand-written minimum, from this tree, that overheads are read against. */
const REFERENCES = ["raw", "limit"];

/**
 * A copy of the tree at `rev`, with this tree's variants, so only the library differs; the
 * variants bundle its package (`npm pack` there) or, before the package, its sources.
 */
export function checkout(root, rev) {
  const dir = mkdtempSync(join(tmpdir(), "vitals-compare-"));
  const archive = execFileSync("git", ["archive", rev], { cwd: root, maxBuffer: 2 ** 30 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  rmSync(join(dir, "bench/variants"), { recursive: true, force: true });
  cpSync(join(root, "bench/variants"), join(dir, "bench/variants"), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

async function bundle(root, variant, outfile, home) {
  await build({
    entryPoints: [join(root, "bench/variants", `${variant}.ts`)],
    outfile,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    logLevel: "error",
    legalComments: "none",
    absWorkingDir: root,
    plugins: [fromPackage(home, join(root, "functions/vitals/index.ts"))],
  });
  return outfile;
}

/**
 * The finer A/B: each process loads both libraries' bundle of a path and alternates batches
 * between them (bench/worker.mjs, mode `ab`); half the processes load this tree's first.
 */
async function sameProcess(bundles, rev, { processes, pairs, n, warmup }) {
  let md = `\nSame process: ${processes} processes per path and timing, each alternating ${pairs} `;
  md += `pairs of batches of ${n} invocations between the two bundles after ${warmup} warm-up `;
  md += "invocations of each; one ratio per pair.\n\n";
  md += `| timing | path | this ÷ ${rev}, same process |\n|---|---|---:|\n`;
  for (const write of WRITES) {
    for (const variant of PATHS) {
      const [ours, theirs] = ["this", rev].map(
        (tree) => bundles.find((b) => b.variant === variant && b.tree === tree).file,
      );
      const ratios = [];
      for (let p = 0; p < processes; p++) {
        const [first, other] = p % 2 === 0 ? [ours, theirs] : [theirs, ours];
        const options = { pairs, n, warmup, other, clock: "cpu", stubStdout: write.stubStdout };
        const result = await runChild("ab", first, options);
        ratios.push(...result.ratios.map((r) => (first === ours ? r : 1 / r)));
      }
      md += `| ${write.name} | ${variant} | ${median(ratios).toFixed(3)}× `;
      md += `(${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}) |\n`;
      process.stderr.write(`  same process: ${write.name}, ${variant}\n`);
    }
  }
  return md;
}

/** The two ways a batch is timed: with the real write to stdout, and with the write stubbed. */
const WRITES = [
  { name: "total", stubStdout: false },
  { name: "JavaScript only", stubStdout: true },
];

/**
 * @param {string} root this tree
 * @param {string} rev the revision to compare with
 * @param {{ rounds: number, warm: object, sameProcess: object }} config
 * @returns {Promise<string>} a markdown report
 */
export async function compare(root, rev, config) {
  const base = checkout(root, rev);
  const out = join(root, "bench/.out");
  const homes = new Map([root, base].map((dir) => [dir, installPackage(dir)]));
  try {
    const bundles = [];
    for (const variant of REFERENCES) {
      bundles.push({
        variant,
        tree: "this",
        file: await bundle(root, variant, join(out, `compare-${variant}.cjs`), homes.get(root)),
      });
    }
    for (const variant of PATHS) {
      for (const [tree, dir] of [
        ["this", root],
        [rev, base],
      ]) {
        const file = await bundle(
          dir,
          variant,
          join(out, `compare-${variant}-${bundles.length}.cjs`),
          homes.get(dir),
        );
        bundles.push({ variant, tree, file });
      }
    }
    const runs = WRITES.flatMap((write) => bundles.map((b) => ({ ...b, write })));
    const times = new Map(runs.map((run) => [run, []]));
    for (let round = 0; round < config.rounds; round++) {
      const order = round % 2 === 0 ? runs : [...runs].reverse();
      for (const run of order) {
        const options = { ...config.warm, clock: "cpu", stubStdout: run.write.stubStdout };
        const { batches } = await runChild("warm", run.file, options);
        times.get(run).push(median(batches));
      }
      process.stderr.write(`  compare round ${round + 1}/${config.rounds}\n`);
    }
    const timesOf = (write, variant, tree) =>
      times.get(runs.find((r) => r.write === write && r.variant === variant && r.tree === tree));
    const us = (ns) => (ns / 1000).toFixed(2);
    const spread = (values, digits) =>
      `${median(values).toFixed(digits)}× (${quantile(values, 0.25).toFixed(digits)}–` +
      `${quantile(values, 0.75).toFixed(digits)})`;
    let md = `# lambda-vitals: this tree against ${rev}\n\n`;
    md += `Reproduce: \`npm run bench -- --compare ${rev}\`. Node ${process.version}, `;
    md += `${availableParallelism()} cores. ${config.rounds} rounds, the bundles in alternating `;
    md += `order, each in a fresh process: ${config.warm.warmup} warm-up invocations, then `;
    md += `${config.warm.batches} × ${config.warm.n} timed in the process's CPU time (user + system); `;
    md += "a round's figure is the median batch. Ratios are taken per round, then the median ";
    md += "(p25–p75 in brackets). Overhead is the variant's time less `raw`'s in the same round; ";
    md += '"JavaScript only" stubs `process.stdout.write`, the part every variant pays alike.\n\n';
    md += `| timing | path | this tree CPU µs/inv | ${rev} CPU µs/inv | this ÷ ${rev} `;
    md += `| overhead ÷ limit's, this tree | overhead ÷ limit's, ${rev} |\n`;
    md += "|---|---|---:|---:|---:|---:|---:|\n";
    for (const write of WRITES) {
      const raw = timesOf(write, "raw", "this");
      const limit = timesOf(write, "limit", "this");
      const overLimit = (t) => t.map((ns, r) => (ns - raw[r]) / (limit[r] - raw[r]));
      for (const variant of PATHS) {
        const ours = timesOf(write, variant, "this");
        const theirs = timesOf(write, variant, rev);
        const ratios = ours.map((t, r) => t / theirs[r]);
        md += `| ${write.name} | ${variant} | ${us(median(ours))} | ${us(median(theirs))} `;
        md += `| ${spread(ratios, 3)} | ${spread(overLimit(ours), 2)} | ${spread(overLimit(theirs), 2)} |\n`;
      }
      md += `| ${write.name} | raw, limit | ${us(median(raw))}, ${us(median(limit))} | | | | |\n`;
    }
    md += await sameProcess(bundles, rev, config.sameProcess);
    return md;
  } finally {
    rmSync(base, { recursive: true, force: true });
    for (const home of homes.values()) {
      if (home !== undefined) rmSync(home, { recursive: true, force: true });
    }
  }
}
