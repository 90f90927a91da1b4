/**
 * Copies the latest `npm run bench` figures (bench/results.md) into the README, between the
 * `bench:start` and `bench:end` markers, so the README shows the run it says it shows.
 *
 * Usage: npm run bench && node scripts/bench-readme.mjs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = readFileSync(join(root, "bench/results.md"), "utf8");
const readmePath = join(root, "README.md");
const readme = readFileSync(readmePath, "utf8");

/** The text from `from` up to `to` (default: the next blank line). */
function block(from, to = "\n\n") {
  const start = results.indexOf(from);
  if (start === -1) throw new Error(`bench/results.md has no "${from}"`);
  const end = results.indexOf(to, start + from.length);
  return results.slice(start, end === -1 ? undefined : end).trim();
}

const run = block("Node v").split(". ")[0];
const table = block("| variant |");
const examples = block("Example functions", "\n\n## ");
const budget = block("- **");
const generated = [
  `Latest run: ${run}.`,
  "",
  table,
  "",
  examples,
  "",
  "Budget (issue 5):",
  "",
  budget,
].join("\n");

const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";
const from = readme.indexOf(START);
const to = readme.indexOf(END);
if (from === -1 || to < from) throw new Error("README.md has no bench markers");
writeFileSync(
  readmePath,
  `${readme.slice(0, from + START.length)}\n${generated}\n${readme.slice(to)}`,
);
process.stdout.write("README.md: benchmark figures updated from bench/results.md\n");
