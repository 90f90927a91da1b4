/**
 * `serverless vitals report` as text: a table per route with the service's totals under it, the
 * alarms (ALARM first) and what the report's calls cost. Colour only when asked (a terminal).
 */
import type { Report, ReportRow } from "./report";

const COLORS = { ALARM: "\u001b[31m", INSUFFICIENT_DATA: "\u001b[33m", OK: "\u001b[32m" } as const;
const RESET = "\u001b[0m";
const HEADER = [
  "route",
  "requests",
  "5xx %",
  "4xx %",
  "p50 ms",
  "p90 ms",
  "p99 ms",
  "cold %",
  "timeouts",
];

/**
 * @example
 * formatReport(report, { color: process.stdout.isTTY === true }).split("\n")[0];
 * // "shop prod (eu-west-1), 2026-12-04T20:00:00.000Z to 2026-12-04T21:00:00.000Z"
 */
export function formatReport(report: Report, options: { readonly color: boolean }): string {
  const cells = (row: ReportRow) => [
    row.route,
    String(row.requests),
    figure(row.errorsPercent),
    figure(row.clientErrorsPercent),
    figure(row.p50),
    figure(row.p90),
    figure(row.p99),
    figure(row.coldStartPercent),
    String(row.timeouts),
  ];
  const table = [HEADER, ...report.routes.map(cells), cells(report.total)];
  const widths = HEADER.map((_, c) => Math.max(...table.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join("  ");
  const paint = (state: string) => {
    const code = COLORS[state as keyof typeof COLORS];
    return options.color && code !== undefined ? `${code}${state}${RESET}` : state;
  };
  const { calls } = report;
  return [
    `${report.service} ${report.stage} (${report.region}), ${report.start} to ${report.end}`,
    "",
    line(HEADER),
    ...report.routes.map((row) => line(cells(row))),
    line(cells(report.total)),
    ...(report.budget === undefined
      ? []
      : [
          "",
          `error budget left over the last ${report.budget.periodDays} days:`,
          ...report.budget.left.map(
            (b) =>
              `  ${b.objective}: ${b.leftPercent === null ? "no requests" : `${figure(b.leftPercent)} %`}`,
          ),
        ]),
    "",
    `alarms (${report.alarms.length}):`,
    ...report.alarms.map(
      (a) =>
        `  ${paint(a.state)}${" ".repeat(Math.max(0, 17 - a.state.length))}  ${a.name}${a.type === "composite" ? " (composite)" : ""}`,
    ),
    "",
    `CloudWatch calls: ${calls.getMetricData} GetMetricData (${calls.metricsRequested} metrics) and ` +
      `${calls.describeAlarms} DescribeAlarms, about $${calls.usd.toFixed(5)} at us-east-1 list prices`,
  ].join("\n");
}

function figure(value: number | null): string {
  if (value === null) return "-";
  return Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 0 : 1);
}
