/**
 * Bundles each variant, and the example function, the way a Lambda deployment would: esbuild,
 * minified, platform node, CommonJS, with `lambda-vitals` from the package as `npm pack` makes it
 * (bench/package.mjs), not from the sources. Returns sizes and the per-input byte breakdown.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { fromPackage, installPackage } from "./package.mjs";

export const VARIANTS = ["raw", "limit", "lambda-vitals", "powertools", "aws-embedded-metrics"];

/** The example handlers; the first, the largest (body validation, business metrics), is the one the budget names. */
export const EXAMPLES = ["create-order", "get-order", "get-invoice"];

/**
 * @param {string} root project root
 * @param {{ minify?: boolean, outDir?: string, variants?: string[], examples?: string[] }} [options]
 *   unminified bundles keep function names for profiles; `variants` and `examples` default to
 *   every variant of the table and every example
 */
export async function buildAll(root, options = {}) {
  const minify = options.minify ?? true;
  const home = installPackage(root);
  const plugins = [fromPackage(home, join(root, "functions/vitals/index.ts"))];
  const outDir = options.outDir ?? join(root, "bench/.out");
  mkdirSync(outDir, { recursive: true });
  const entries = (options.variants ?? VARIANTS).map((name) => ({
    name,
    entry: join(root, "bench/variants", `${name}.ts`),
  }));
  // The example functions, each bundled on its own as `package.individually` deploys them.
  for (const example of options.examples ?? EXAMPLES) {
    entries.push({ name: `example:${example}`, entry: join(root, `functions/${example}.ts`) });
  }
  const results = {};
  for (const { name, entry } of entries) {
    const outfile = join(outDir, `${basename(name.replace(":", "-"))}.cjs`);
    const built = await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      minify,
      platform: "node",
      target: "node22",
      format: "cjs",
      metafile: true,
      logLevel: "error",
      legalComments: "none",
      absWorkingDir: root,
      plugins,
    });
    const code = readFileSync(outfile);
    const output = built.metafile.outputs[relative(root, outfile)];
    const inputs = Object.entries(output?.inputs ?? {})
      .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
      .sort((a, b) => b.bytes - a.bytes);
    results[name] = {
      file: outfile,
      bytes: code.length,
      gzip: gzipSync(code, { level: 9 }).length,
      inputs,
    };
  }
  if (home !== undefined) rmSync(home, { recursive: true, force: true });
  return results;
}
