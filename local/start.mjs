#!/usr/bin/env node
/**
 * `npm start`. The launcher (local/template-command.ts) is TypeScript beside the metric store it reuses; esbuild (already a
 * dev dependency) compiles it to a real file under .serverless/local/ that Node then imports, so
 * stack traces point at that file and, through its source map, at local/*.ts.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outfile = join(root, ".serverless", "local", "start.mjs");
mkdirSync(dirname(outfile), { recursive: true });
await build({
  entryPoints: [join(root, "local", "template-command.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  logLevel: "warning",
});
process.setSourceMapsEnabled(true);
const { startTemplate } = await import(pathToFileURL(outfile).href);
try {
  process.exitCode = await startTemplate({ root, argv: process.argv.slice(2) });
} catch (error) {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
