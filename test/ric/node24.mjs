#!/usr/bin/env node
/**
 * Prints the path of the Node 24 that `npm run test:ric` runs the functions on, installing it
 * first when it is missing (node-install.mjs). `.ci/run` puts its directory first on PATH to run
 * `npm test` on Node 24 as well.
 *
 * @example
 * PATH="$(dirname "$(node test/ric/node24.mjs)"):$PATH" npm test
 */
import { ensureNode } from "./node-install.mjs";

const node = ensureNode((message) => process.stderr.write(`${message}\n`));
process.stdout.write(`${node.path}\n`);
