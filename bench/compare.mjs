/**
 * `npm run bench -- --compare <rev>`: the library in the working tree against the library at git
 * revision `<rev>`, on the plain path (`lambda-vitals`, a handler that records nothing) and the
 * recording path (`lambda-vitals-metrics`). Both libraries are bundled with the same variant
 * sources; rounds alternate the order of the four bundles, each measured in a fresh process, and
 * each round's ratio (this tree ÷ `<rev>`) is taken before the median, so machine drift cancels.
 * Batches are timed in CPU time, not wall time: on a shared machine, time spent waiting for a
 * core would otherwise swamp a difference of a microsecond.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { runChild } from "./child.mjs";
import { median, quantile } from "./stats.mjs";

const PATHS = ["lambda-vitals", "lambda-vitals-metrics"];

/** A copy of `functions/` at `rev`, beside this tree's variants, so only the library differs. */
function checkout(root, rev) {
  const dir = mkdtempSync(join(tmpdir(), "vitals-compare-"));
  const archive = execFileSync("git", ["archive", rev, "functions"], { cwd: root });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  cpSync(join(root, "bench/variants"), join(dir, "bench/variants"), { recursive: true });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return dir;
}

async function bundle(root, variant, outfile) {
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
  });
  return outfile;
}

/**
 * @param {string} root this tree
 * @param {string} rev the revision to compare with
 * @param {{ rounds: number, warm: object }} config
 * @returns {Promise<string>} a markdown report
 */
export async function compare(root, rev, config) {
  const base = checkout(root, rev);
  const out = join(root, "bench/.out");
  try {
    const bundles = [];
    for (const variant of PATHS) {
      for (const [tree, dir] of [
        ["this", root],
        [rev, base],
      ]) {
        const file = await bundle(
          dir,
          variant,
          join(out, `compare-${variant}-${bundles.length}.cjs`),
        );
        bundles.push({ variant, tree, file });
      }
    }
    const times = new Map(bundles.map((b) => [b.file, []]));
    for (let round = 0; round < config.rounds; round++) {
      const order = round % 2 === 0 ? bundles : [...bundles].reverse();
      for (const { file } of order) {
        const { batches } = await runChild("warm", file, { ...config.warm, clock: "cpu" });
        times.get(file).push(median(batches));
      }
      process.stderr.write(`  compare round ${round + 1}/${config.rounds}\n`);
    }
    const us = (ns) => (ns / 1000).toFixed(2);
    let md = `# lambda-vitals: this tree against ${rev}\n\n`;
    md += `Reproduce: \`npm run bench -- --compare ${rev}\`. Node ${process.version}, `;
    md += `${availableParallelism()} cores. ${config.rounds} rounds, the four bundles in alternating `;
    md += `order, each in a fresh process: ${config.warm.warmup} warm-up invocations, then `;
    md += `${config.warm.batches} × ${config.warm.n} timed in the process's CPU time (user + system); `;
    md += "a round's figure is the median batch. ";
    md += "The ratio is taken per round, then the median (p25–p75 in brackets).\n\n";
    md += `| path | this tree CPU µs/inv | ${rev} CPU µs/inv | this ÷ ${rev} |\n|---|---:|---:|---:|\n`;
    for (const variant of PATHS) {
      const [ours, theirs] = bundles
        .filter((b) => b.variant === variant)
        .map((b) => times.get(b.file));
      const ratios = ours.map((t, r) => t / theirs[r]);
      md += `| ${variant} | ${us(median(ours))} | ${us(median(theirs))} `;
      md += `| ${median(ratios).toFixed(3)}× (${quantile(ratios, 0.25).toFixed(3)}–`;
      md += `${quantile(ratios, 0.75).toFixed(3)}) |\n`;
    }
    return md;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
