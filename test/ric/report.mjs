/**
 * The report on stdout: a table per pass (one row per function), the RIC's own lines, the health
 * answers, notes, the violations grouped, and a closing line that CI counts:
 * `Tests: N passed, N failed` (N checks: every check that can fail, counted once per function and
 * pass, passed when it found no violation).
 */
import { spawnSync } from "node:child_process";
import { short } from "./findings.mjs";
import { MI_CONCURRENCY, MI_WORKERS, NODE, RIC_VERSION, SEED, VERBOSE } from "./settings.mjs";

/**
 * The counters that checks.mjs fills for one function in one pass.
 *
 * @example
 * const stats = newStats(); // { invocations: 0, responses: 0, …, statuses: [], ricLevel: [] }
 */
export function newStats() {
  return {
    invocations: 0,
    responses: 0,
    errors: 0,
    killed: 0,
    crashes: 0,
    canonical: 0,
    warnings: 0,
    healthLines: 0,
    emf: 0,
    invalid: 0,
    ric: 0,
    unattributed: 0,
    stderr: 0,
    statuses: [],
    ricLevel: [],
  };
}

function table(rows, extra = []) {
  const cols = [
    ["function", (r) => r.fn],
    ["invocations", (r) => r.s.invocations],
    ["responses", (r) => r.s.responses],
    ["errors", (r) => r.s.errors],
    ["no answer", (r) => r.s.killed],
    ["crashes", (r) => r.s.crashes],
    ["canonical", (r) => r.s.canonical],
    ["warn lines", (r) => r.s.warnings],
    ["health lines", (r) => r.s.healthLines],
    ["EMF lines", (r) => r.s.emf],
    ["invalid EMF", (r) => r.s.invalid],
    ["RIC lines", (r) => r.s.ric],
    ["ours w/o _aws", (r) => r.s.unattributed],
    ["stderr", (r) => r.s.stderr],
    ...extra,
    ["violations", (r) => r.v],
  ];
  const cells = rows.map((r) => cols.map(([, f]) => String(f(r))));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const fmt = (c) => `| ${c.map((x, i) => x.padEnd(widths[i])).join(" | ")} |`;
  return [
    fmt(cols.map(([h]) => h)),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...cells.map(fmt),
  ].join("\n");
}

/**
 * The table of one log-format pass; `rows` are `{ fn, s: stats, v: violations }`.
 *
 * @example
 * process.stdout.write(logFormatSection("JSON", rows));
 */
export function logFormatSection(format, rows) {
  return `\n## ${format} log format (AWS_LAMBDA_LOG_FORMAT=${format})\n${table(rows)}\n`;
}

/**
 * The table of the Managed Instances pass, with its concurrency columns.
 *
 * @example
 * process.stdout.write(managedInstancesSection(rows));
 */
export function managedInstancesSection(rows) {
  return `\n## Managed Instances (AWS_LAMBDA_LOG_FORMAT=JSON, AWS_LAMBDA_MAX_CONCURRENCY=${MI_CONCURRENCY}, AWS_LAMBDA_NODEJS_WORKER_COUNT=${MI_WORKERS})\n${table(
    rows,
    [
      ["max in flight", (r) => r.s.maxInFlight],
      ["overlapped", (r) => r.s.overlapped],
      ["max waiting next", (r) => r.s.maxWaitingNext],
    ],
  )}\n`;
}

function nodeVersion() {
  const run = spawnSync(NODE, ["--version"], { encoding: "utf8" });
  return `node ${String(run.stdout).trim()}`;
}

/**
 * Everything after the tables, ending with the closing line that counts the checks.
 * `checks` is `{ passed, failed }`.
 *
 * @example
 * process.stdout.write(closingReport({ started, ricSamples, extra, findings, checks }));
 */
export function closingReport({ started, ricSamples, extra, findings, checks }) {
  const { violations, notes } = findings;
  const out = [];
  out.push(
    `\nseed ${SEED}; aws-lambda-ric ${RIC_VERSION} on ${nodeVersion()}; run ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  out.push("\n## Lines the RIC wrote itself (samples)\n");
  for (const sample of ricSamples.values()) out.push(`  ${sample}\n`);
  if (VERBOSE || violations.length > 0) {
    out.push("\n## Details\n");
    for (const line of [...new Set(extra)]) out.push(`  ${short(line, 300)}\n`);
  } else {
    const health = extra.filter(
      (l) => l.includes("health, CloudWatch") || l.startsWith("MI health"),
    );
    if (health.length > 0) out.push(`\n## Health\n${health.map((l) => `  ${l}`).join("\n")}\n`);
  }
  if (notes.length > 0) {
    out.push(`\n## Notes\n${[...new Set(notes)].map((n) => `  ${n}`).join("\n")}\n`);
  }
  const grouped = new Map();
  for (const v of violations) {
    const key = `${v.where}: ${v.what}`;
    const g = grouped.get(key) ?? { count: 0, detail: v.detail };
    g.count += 1;
    grouped.set(key, g);
  }
  if (grouped.size > 0) {
    out.push(`\n## Violations (${violations.length})\n`);
    for (const [key, g] of grouped) {
      out.push(
        `- ${key}${g.count > 1 ? ` (×${g.count}, first:)` : ""}\n    ${String(g.detail ?? "")
          .split("\n")
          .join("\n    ")}\n`,
      );
    }
  }
  out.push(
    `\nric-e2e: ${violations.length === 0 ? "passed" : `FAILED with ${violations.length} violations`}\n`,
  );
  out.push(`\nTests: ${checks.passed} passed, ${checks.failed} failed\n`);
  return out.join("");
}
