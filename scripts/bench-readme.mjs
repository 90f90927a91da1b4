/**
 * Copies the latest `npm run bench` figures (bench/results.md) into docs/benchmark.md, between
 * the `bench:start` and `bench:end` markers, and a one-line headline into the README, between the
 * `bench:headline:start` and `bench:headline:end` markers, so both show the run they say they show.
 *
 * Usage: npm run bench && npm run bench:readme
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = readFileSync(join(root, "bench/results.md"), "utf8");

/** The text from `from` up to `to` (default: the next blank line). */
function block(from, to = "\n\n") {
  const start = results.indexOf(from);
  if (start === -1) throw new Error(`bench/results.md has no "${from}"`);
  const end = results.indexOf(to, start + from.length);
  return results.slice(start, end === -1 ? undefined : end).trim();
}

/** The results table as one object per variant, keyed by the header's column names. */
function rows(table) {
  const cells = (line) =>
    line
      .slice(1, -1)
      .split("|")
      .map((cell) => cell.trim());
  const [header, , ...body] = table.split("\n");
  const names = cells(header);
  return new Map(
    body.map((line) => {
      const values = cells(line);
      return [values[0], Object.fromEntries(names.map((name, i) => [name, values[i]]))];
    }),
  );
}

/** One variant's figure in one column; a missing one stops the script rather than print "undefined". */
function figure(variants, variant, column) {
  const value = variants.get(variant)?.[column];
  if (value === undefined) throw new Error(`bench/results.md: no "${column}" for ${variant}`);
  return value;
}

/** Replaces the text between two markers in a file, which must hold both in that order. */
function fill(path, start, end, text) {
  const file = join(root, path);
  const current = readFileSync(file, "utf8");
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  if (from === -1 || to < from) throw new Error(`${path} has no ${start} … ${end} markers`);
  writeFileSync(file, `${current.slice(0, from + start.length)}\n${text}\n${current.slice(to)}`);
}

const run = block("Node v").split(". ")[0];
const table = block("| variant |");
const examples = block("Example functions", "\n\n## ");
const budget = block("- **");
const budget22 = block("## Budget (issue 22)", "\n\n## ").split("\n\n")[1];

fill(
  "docs/benchmark.md",
  "<!-- bench:start -->",
  "<!-- bench:end -->",
  [
    `Latest run: ${run}.`,
    "",
    table,
    "",
    examples,
    "",
    "Budget (issue 5):",
    "",
    budget,
    "",
    "Budget (issue 22), against the limit in the same run:",
    "",
    budget22,
  ].join("\n"),
);

const variants = rows(table);
const ratio = (variant) => figure(variants, variant, "overhead ÷ limit's");
fill(
  "README.md",
  "<!-- bench:headline:start -->",
  "<!-- bench:headline:end -->",
  `Its overhead per invocation is ${ratio("lambda-vitals")} the least that hand-written EMF ` +
    `instrumentation costs (Powertools ${ratio("powertools")}, aws-embedded-metrics ` +
    `${ratio("aws-embedded-metrics")}), and it adds ` +
    `${figure(variants, "lambda-vitals", "cold over raw ms")} ms to a cold start ` +
    "([benchmark](docs/benchmark.md)).",
);
process.stdout.write(
  "docs/benchmark.md and README.md: benchmark figures updated from bench/results.md\n",
);
