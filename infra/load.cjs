"use strict";
/**
 * Loads the TypeScript stack generator from plain Node: the Serverless CLI only reads JS files, so
 * esbuild (already here for bundling the functions) compiles infra/ and the metric contract it
 * imports, in memory, in a few tens of milliseconds.
 */
const path = require("node:path");
const Module = require("node:module");
const { buildSync } = require("esbuild");

let cached;

/** @returns {{ buildStack: Function, readServiceConfig: Function, dashboardUrl: Function }} */
function loadInfra() {
  if (cached !== undefined) return cached;
  const filename = path.join(__dirname, "generated-stack.cjs");
  const { outputFiles } = buildSync({
    stdin: {
      contents:
        'export { buildStack } from "./stack";\n' +
        'export { readServiceConfig } from "./service";\n' +
        'export { dashboardUrl } from "./dashboard";\n',
      resolveDir: __dirname,
      sourcefile: "infra-entry.ts",
      loader: "ts",
    },
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: "node20",
    logLevel: "silent",
  });
  const compiled = new Module(filename, module);
  compiled.filename = filename;
  compiled.paths = Module._nodeModulePaths(__dirname);
  compiled._compile(outputFiles[0].text, filename);
  cached = compiled.exports;
  return cached;
}

module.exports = { loadInfra };
