"use strict";
/**
 * Builds the TypeScript stack generator into a real CommonJS file and loads it with `require`:
 * the Serverless CLI only runs JavaScript, and a built file gives stack traces a file to point at.
 * esbuild (already here to bundle the functions) takes a few tens of milliseconds.
 *
 * The generator imports the library's metric contract. Where the service keeps the library is
 * `custom.vitals.library` (default `functions/vitals`), so `infra/` and the library can sit in
 * any two folders: the contract import is pointed there at build time.
 */
const fs = require("node:fs");
const path = require("node:path");
const { build } = require("esbuild");

/** The library folder a service gets when `custom.vitals.library` does not name one. */
const DEFAULT_LIBRARY = "functions/vitals";
/** The build output, beside `.serverless/` (which `serverless package` empties when it starts). */
const OUT_DIR = ".vitals";
/** How infra/emitted.ts imports the contract; only this import is pointed at the library. */
const CONTRACT_IMPORT = "../functions/vitals/contract";

const loaded = new Map();

/**
 * @param {{ serviceDir: string, library?: string }} where
 * @returns {Promise<{ buildStack: Function, readServiceConfig: Function, vitalsEnvironment: Function,
 *   roleIdOf: Function, logicalNameOf: Function, dashboardUrl: Function }>}
 */
async function loadInfra({ serviceDir, library = DEFAULT_LIBRARY }) {
  const contract = contractFile(serviceDir, library);
  const outfile = path.join(serviceDir, OUT_DIR, "stack.cjs");
  const key = `${outfile}\n${contract}`;
  if (loaded.has(key)) return loaded.get(key);
  const { outputFiles } = await build({
    entryPoints: [path.join(__dirname, "entry.ts")],
    outfile,
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: "node20",
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [
      {
        name: "vitals-library",
        setup(build) {
          build.onResolve({ filter: /^\.\.\/functions\/vitals\/contract$/ }, (args) =>
            args.path === CONTRACT_IMPORT && args.importer.startsWith(__dirname)
              ? { path: contract }
              : undefined,
          );
        },
      },
    ],
  });
  fs.mkdirSync(path.dirname(outfile), { recursive: true });
  // Written whole under another name, then renamed: a second CLI building at the same moment
  // (`npm start` beside `serverless package`) never requires half a file.
  const partial = `${outfile}.${process.pid}.tmp`;
  fs.writeFileSync(partial, outputFiles[0].text);
  fs.renameSync(partial, outfile);
  // A fresh build of the same file must be read again, not taken from require's cache.
  delete require.cache[outfile];
  const infra = require(outfile);
  loaded.set(key, infra);
  return infra;
}

function contractFile(serviceDir, library) {
  const dir = path.resolve(serviceDir, library);
  for (const name of ["contract.ts", "contract.js"]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(
    `lambda-vitals: no contract.ts in ${dir}. Set custom.vitals.library in serverless.yml to ` +
      `the folder you copied functions/vitals/ into, relative to the service (now "${library}").`,
  );
}

module.exports = { loadInfra, DEFAULT_LIBRARY, compiled: false };
