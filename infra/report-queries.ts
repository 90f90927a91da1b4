/**
 * The `GetMetricData` queries of `serverless vitals report`: per route and for the service, the
 * request metrics of the contract over the whole window, one datapoint each, in pages of at most
 * 500 queries (GetMetricData's limit): one call per page.
 */
import { CONTRACT, type Contract } from "./emitted";
import type { StackInput } from "./service";

/** What one row of the report shows, and which statistic of which metric gives it. */
export const REPORT_FIELDS = {
  requests: { metric: "requests", stat: "Sum" },
  errors: { metric: "errors", stat: "Sum" },
  clientErrors: { metric: "clientErrors", stat: "Sum" },
  p50: { metric: "latency", stat: "p50" },
  p90: { metric: "latency", stat: "p90" },
  p99: { metric: "latency", stat: "p99" },
  coldStarts: { metric: "coldStart", stat: "Sum" },
  timeouts: { metric: "timeouts", stat: "Sum" },
} as const satisfies Record<string, { metric: keyof Contract["metrics"]; stat: string }>;

export type ReportField = keyof typeof REPORT_FIELDS;

export const MAX_QUERIES_PER_CALL = 500;

export interface ReportQuery {
  readonly Id: string;
  readonly ReturnData: true;
  readonly MetricStat: {
    readonly Metric: {
      readonly Namespace: string;
      readonly MetricName: string;
      readonly Dimensions: readonly { readonly Name: string; readonly Value: string }[];
    };
    readonly Period: number;
    readonly Stat: string;
  };
}

/** A query and what it answers: the row (a route, or undefined for the service) and the field. */
export interface PlannedQuery {
  readonly route: string | undefined;
  readonly field: ReportField;
  readonly query: ReportQuery;
}

/**
 * The routes the report shows: every row the dashboard charts, in the order of the functions.
 *
 * @example
 * reportRoutes(stack); // ["GET /orders/{id}", "POST /orders", "GET /health"]
 */
export function reportRoutes(stack: Pick<StackInput, "functions">): string[] {
  return stack.functions.flatMap((fn) => fn.routes);
}

/**
 * Every query, for a window of `periodSeconds` (a multiple of 60).
 *
 * @example
 * planQueries(stack, 3600).length; // 8 × (routes + 1)
 */
export function planQueries(
  stack: Pick<StackInput, "functions" | "namespace" | "service">,
  periodSeconds: number,
  contract: Contract = CONTRACT,
): PlannedQuery[] {
  const rows: (string | undefined)[] = [...reportRoutes(stack), undefined];
  return rows.flatMap((route, row) =>
    (Object.keys(REPORT_FIELDS) as ReportField[]).map((field) => {
      const { metric, stat } = REPORT_FIELDS[field];
      const dimensions = [{ Name: contract.dimensions.service, Value: stack.service }];
      if (route !== undefined) dimensions.push({ Name: contract.dimensions.route, Value: route });
      return {
        route,
        field,
        query: {
          Id: `r${row}_${field}`,
          ReturnData: true,
          MetricStat: {
            Metric: {
              Namespace: stack.namespace,
              MetricName: contract.metrics[metric].name,
              Dimensions: dimensions,
            },
            Period: periodSeconds,
            Stat: stat,
          },
        },
      };
    }),
  );
}

/**
 * Splits queries into pages of at most `size`, one `GetMetricData` call each.
 *
 * @example
 * pagesOf([1, 2, 3], 2); // [[1, 2], [3]]
 */
export function pagesOf<T>(items: readonly T[], size: number = MAX_QUERIES_PER_CALL): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages;
}

const UNIT_SECONDS: Readonly<Record<string, number>> = { m: 60, h: 3600, d: 86_400 };
/** GetMetricData keeps one-minute data for 15 days. */
const MAX_SINCE_SECONDS = 15 * 86_400;

/**
 * `--since`: a number of minutes, hours or days (`30m`, `1h`, `2d`), up to 15 days.
 *
 * @example
 * sinceSeconds("1h"); // 3600
 */
export function sinceSeconds(value: unknown): number {
  const match = /^(\d+)([mhd])$/.exec(typeof value === "string" ? value.trim() : "");
  const seconds =
    match === null ? Number.NaN : Number(match[1]) * (UNIT_SECONDS[match[2] ?? ""] ?? 0);
  if (!(seconds >= 60 && seconds <= MAX_SINCE_SECONDS)) {
    throw new Error(
      `--since must be minutes, hours or days such as 30m, 1h or 2d, from 1m to 15d, not ${JSON.stringify(value)}`,
    );
  }
  return seconds;
}
