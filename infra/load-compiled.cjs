"use strict";
/**
 * infra/load.cjs as the package's plugin has it (scripts/build.mjs puts this file in its place):
 * the stack generator is compiled into the same file as the plugin, so loading it builds nothing
 * and reads no library folder of the service.
 */
const infra = require("./entry.ts");

/** Kept so the plugin reads the same in both forms; the package's contract is built in. */
const DEFAULT_LIBRARY = "functions/vitals";

async function loadInfra() {
  return infra;
}

module.exports = { loadInfra, DEFAULT_LIBRARY, compiled: true };
