/**
 * `--profile`: runs a warm loop of each variant under `node --cpu-prof` (unminified bundles, so
 * function names survive) and aggregates self and inclusive time per function and self time per
 * source file. esbuild's `// path` comments in an unminified bundle map bundle lines back to
 * source files.
 *
 * The profiled runs replace `process.stdout.write` with a no-op: with a real write, V8 charges
 * most samples to the native `writeBuffer` (about 85% for both variants, although the write costs
 * under 1 µs), which hides everything else. The write's own cost is measured beside it, without
 * a profiler, as the difference between a real and a stubbed run.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildAll } from "./build.mjs";
import { runChild } from "./child.mjs";
import { median } from "./stats.mjs";

/** Bundle line (1-based) → source file, from esbuild's module comments. */
function sourceMap(bundleFile) {
  const lines = readFileSync(bundleFile, "utf8").split("\n");
  const starts = [];
  lines.forEach((line, i) => {
    const match = /^\/\/ ((?:functions|bench|node_modules)\/\S+)$/.exec(line);
    if (match !== null) starts.push({ line: i + 1, source: match[1] });
  });
  return (line) => {
    let source = "bundle";
    for (const start of starts) {
      if (start.line > line) break;
      source = start.source;
    }
    return source.replace(/^node_modules\//, "");
  };
}

/** Self and inclusive time in microseconds, by function and by file. */
function aggregate(profile, sourceOf, bundleFile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const keyOf = new Map();
  const fileOf = new Map();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const inBundle = url.endsWith(bundleFile);
    const file = inBundle ? sourceOf(lineNumber + 1) : url.replace(/^node:/, "") || functionName;
    const where = inBundle ? file : `${file}:${lineNumber + 1}`;
    keyOf.set(node.id, `${functionName || "(anonymous)"} (${where})`);
    fileOf.set(node.id, inBundle ? file : url === "" ? functionName : "node internals");
  }
  const functions = new Map();
  const files = new Map();
  let total = 0;
  for (const [id, micros] of self) {
    const key = keyOf.get(id);
    const entry = functions.get(key) ?? { self: 0, inclusive: 0 };
    entry.self += micros;
    functions.set(key, entry);
    files.set(fileOf.get(id), (files.get(fileOf.get(id)) ?? 0) + micros);
    total += micros;
  }
  // Inclusive time: each node's subtree, counted once per function on any one stack.
  const inclusive = (id, open) => {
    const node = byId.get(id);
    const key = keyOf.get(id);
    let sum = self.get(id) ?? 0;
    const nested = open.has(key);
    if (!nested) open.add(key);
    for (const child of node.children ?? []) sum += inclusive(child, open);
    if (!nested) {
      open.delete(key);
      const entry = functions.get(key) ?? { self: 0, inclusive: 0 };
      entry.inclusive += sum;
      functions.set(key, entry);
    }
    return sum;
  };
  inclusive(profile.nodes[0].id, new Set());
  const sorted = (map, by) => [...map].sort((a, b) => by(b[1]) - by(a[1]));
  return {
    total,
    functions: sorted(functions, (f) => f.self),
    inclusive: sorted(functions, (f) => f.inclusive),
    files: sorted(files, (f) => f),
  };
}

/**
 * @param {string} root the tree whose library is profiled
 * @param {string[]} variants bench/variants to profile (raw is timed beside them)
 * @param {{ warmup: number, n: number, batches: number, label: string, outDir: string }} config
 *   `label` names the library in the headings; profiles go to `outDir`
 * @returns {Promise<string>} markdown: per variant, top functions by self and inclusive time
 */
export async function profileVariants(root, variants, { warmup, n, batches, label, outDir }) {
  const dir = outDir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const bundles = await buildAll(root, {
    minify: false,
    outDir: dir,
    variants: ["raw", ...variants],
    examples: [],
  });
  const invocations = warmup + n * batches;
  const options = { warmup, n, batches };
  let md = `## CPU profiles, ${label} (warm loop, ${invocations} invocations, unminified bundles)\n\n`;
  md += "Reproduce: `npm run bench -- --profile`. Times in ns per invocation over the whole ";
  md += "process (warm-up, loop and GC included). Profiled with `process.stdout.write` stubbed ";
  md += "(see bench/profile.mjs); the write's cost is the real − stubbed column. The profiler ";
  md += "can inflate absolute times: read the shares.\n\n";
  md += "| variant | real write, no profiler | write stubbed, no profiler | write cost |\n";
  md += "|---|---:|---:|---:|\n";
  for (const variant of ["raw", ...variants]) {
    const bundle = bundles[variant].file;
    const real = median((await runChild("warm", bundle, options)).batches);
    const stub = median((await runChild("warm", bundle, { ...options, stubStdout: true })).batches);
    md += `| ${variant} | ${real.toFixed(0)} | ${stub.toFixed(0)} | ${(real - stub).toFixed(0)} |\n`;
  }
  for (const variant of variants) {
    const bundle = bundles[variant].file;
    await runChild(
      "warm",
      bundle,
      { ...options, stubStdout: true },
      {
        nodeArgs: [
          "--cpu-prof",
          `--cpu-prof-dir=${dir}`,
          `--cpu-prof-name=${variant}.cpuprofile`,
          "--cpu-prof-interval=50",
        ],
      },
    );
    const profile = JSON.parse(readFileSync(join(dir, `${variant}.cpuprofile`), "utf8"));
    const { total, functions, inclusive, files } = aggregate(profile, sourceMap(bundle), bundle);
    const perInv = (micros) => ((micros * 1000) / invocations).toFixed(0);
    const share = (micros) => `${((micros / total) * 100).toFixed(1)}%`;
    md += `\n### ${variant}, ${label}\n\n| function (source), by self time | self ns/inv | share `;
    md += "| inclusive ns/inv |\n|---|---:|---:|---:|\n";
    for (const [name, f] of functions.slice(0, 20)) {
      md += `| \`${name}\` | ${perInv(f.self)} | ${share(f.self)} | ${perInv(f.inclusive)} |\n`;
    }
    const own = inclusive.filter(([name]) => /\((functions|bench)\//.test(name)).slice(0, 14);
    md += "\n| library/variant function, by inclusive time | inclusive ns/inv | share |\n";
    md += "|---|---:|---:|\n";
    for (const [name, f] of own) {
      md += `| \`${name}\` | ${perInv(f.inclusive)} | ${share(f.inclusive)} |\n`;
    }
    md += "\n| file | self ns/inv | share |\n|---|---:|---:|\n";
    for (const [file, micros] of files.slice(0, 10)) {
      md += `| ${file} | ${perInv(micros)} | ${share(micros)} |\n`;
    }
  }
  return md;
}
