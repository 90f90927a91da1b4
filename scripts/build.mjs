#!/usr/bin/env node
/**
 * `npm run build`: the package `lambda-vitals` from the sources here, into dist/.
 * - `lambda-vitals`, `lambda-vitals/health`, `lambda-vitals/testing`: ESM (`.mjs`, shared code in
 *   chunks, so one process holds one copy of each module) and CommonJS (`.cjs`), each with its
 *   declarations bundled (`.d.mts`, `.d.cts`), so no service's toolchain compiles our TypeScript.
 * - `lambda-vitals/serverless`: the plugin, CommonJS, with the stack generator compiled in, so the
 *   CLI needs no esbuild and no `custom.vitals.library` (infra/load.cjs is the template's own way).
 * - `lambda-vitals dev` (the package's bin, dist/cli.cjs): the local command (local/dev.ts) with
 *   the same generator compiled in, and the dashboard page's files beside it in dist/page/, uPlot
 *   (MIT) and its licence in dist/page/vendor/.
 * npm runs it before `npm pack` and `npm publish` (`prepack`), so a tarball is never stale.
 */
import { copyFile, mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "tsup";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, "dist");

const LIBRARY = {
  index: "functions/vitals/index.ts",
  health: "functions/vitals/health/index.ts",
  testing: "functions/vitals/testing.ts",
};

/** What each format's files end with: the package has no `type`, so each says its own. */
const outExtension = ({ format }) => ({ js: format === "esm" ? ".mjs" : ".cjs" });

const common = {
  outDir: dist,
  platform: "node",
  // engines.node is >=20.19; Lambda's oldest runtime that osls accepts is nodejs20.x
  target: "node20",
  // No source maps: the files are plain, unminified JavaScript that a stack trace can point at
  // as it is, and tsup's CommonJS maps would carry this machine's absolute paths.
  sourcemap: false,
  // The package is read by users and their stack traces: names stay, minifying is the bundler's
  minify: false,
  silent: true,
  tsconfig: join(root, "tsconfig.build.json"),
};

await rm(dist, { recursive: true, force: true });

await build({
  ...common,
  entry: LIBRARY,
  format: ["esm", "cjs"],
  splitting: true,
  treeshake: false,
  dts: true,
  outExtension,
  external: ["@aws-sdk/client-cloudwatch"],
  clean: false,
});

/**
 * The plugin: infra/plugin.cjs, with infra/load.cjs replaced by a loader that returns the
 * generator compiled into this same file.
 */
const compiledGenerator = {
  name: "compiled-generator",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\/load\.cjs$/ }, (args) =>
      args.importer.endsWith(join("infra", "plugin.cjs"))
        ? { path: join(root, "infra", "load-compiled.cjs") }
        : undefined,
    );
  },
};

await build({
  ...common,
  entry: { serverless: "infra/plugin.cjs" },
  format: ["cjs"],
  outExtension,
  esbuildPlugins: [compiledGenerator],
  // Serverless loads the plugin with require(); it must come out as `module.exports = Plugin`
  cjsInterop: false,
  clean: false,
});

// Serverless never reads the plugin's types; a declaration keeps type checkers (and
// arethetypeswrong) from finding an entry without one.
await writeFile(
  join(dist, "serverless.d.ts"),
  [
    "/** The lambda-vitals Serverless plugin (Serverless v3, and v4 as osls): list it under `plugins:`. */",
    "declare const VitalsPlugin: new (serverless: unknown, options: unknown, utils?: unknown) => object;",
    "export = VitalsPlugin;",
    "",
  ].join("\n"),
);

/** The local command: a bin, CommonJS so that it finds its page beside it through `__dirname`. */
await build({
  ...common,
  entry: { cli: "local/dev-main.ts" },
  format: ["cjs"],
  outExtension,
  banner: { js: "#!/usr/bin/env node" },
  clean: false,
});

const page = join(dist, "page");
await mkdir(join(page, "vendor"), { recursive: true });
for (const name of ["index.html", "page.js", "page.css"]) {
  await copyFile(join(root, "local", "page", name), join(page, name));
}
const uplot = dirname(createRequire(join(root, "package.json")).resolve("uplot/package.json"));
for (const [from, to] of [
  ["dist/uPlot.iife.min.js", "uPlot.iife.min.js"],
  ["dist/uPlot.min.css", "uPlot.min.css"],
  ["LICENSE", "uPlot.LICENSE"],
]) {
  await copyFile(join(uplot, from), join(page, "vendor", to));
}
