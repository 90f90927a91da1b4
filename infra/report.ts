/**
 * `serverless vitals report`: asks CloudWatch for the stack's alarms (`DescribeAlarms`) and its
 * request metrics (`GetMetricData`, one call per page of queries) and reads the answers into
 * per-route rows, the service's totals and the alarms' states. The CloudWatch calls are handed in
 * (infra/commands.cjs gives the SDK client's), so everything here runs without AWS.
 */
import type { CfnResource } from "./cfn";
import { CONTRACT } from "./emitted";
import { PRICES } from "./prices";
import {
  type PlannedQuery,
  pagesOf,
  planQueries,
  type ReportField,
  type ReportQuery,
} from "./report-queries";
import type { Objectives, StackInput } from "./service";
import { budgetPercent } from "./slo-alarms";

export interface MetricDataResult {
  readonly Id?: string;
  readonly Values?: readonly number[];
}

export interface AlarmStateRecord {
  readonly AlarmName?: string;
  readonly StateValue?: string;
  readonly StateReason?: string;
}

/** The two calls the report makes, in the SDK's input and output shapes. */
export interface ReportClient {
  readonly getMetricData: (input: {
    StartTime: Date;
    EndTime: Date;
    MetricDataQueries: ReportQuery[];
  }) => Promise<{ MetricDataResults?: readonly MetricDataResult[] }>;
  readonly describeAlarms: (input: {
    AlarmNames: string[];
    AlarmTypes: ("MetricAlarm" | "CompositeAlarm")[];
    MaxRecords: number;
  }) => Promise<{
    MetricAlarms?: readonly AlarmStateRecord[];
    CompositeAlarms?: readonly AlarmStateRecord[];
  }>;
}

export interface ReportRow {
  /** The route, or "total" for the service as a whole. */
  readonly route: string;
  readonly requests: number;
  readonly errorsPercent: number | null;
  readonly clientErrorsPercent: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly coldStartPercent: number | null;
  readonly timeouts: number;
}

export interface ReportAlarm {
  readonly name: string;
  readonly type: "metric" | "composite";
  readonly state: string;
  readonly reason: string;
}

/** What is left of one objective's error budget over the compliance period. */
export interface BudgetLeft {
  /** `99.9% of requests answered`, `99% within 1000 ms`. */
  readonly objective: string;
  /** Percent of the budget left: 100 unspent, 0 spent, below 0 overspent; null without requests. */
  readonly leftPercent: number | null;
}

export interface Report {
  readonly service: string;
  readonly stage: string;
  readonly region: string;
  readonly start: string;
  readonly end: string;
  readonly routes: readonly ReportRow[];
  readonly total: ReportRow;
  readonly alarms: readonly ReportAlarm[];
  /** The error budget over the last compliance period; undefined without objectives. */
  readonly budget:
    | { readonly periodDays: number; readonly left: readonly BudgetLeft[] }
    | undefined;
  readonly calls: {
    readonly getMetricData: number;
    readonly metricsRequested: number;
    readonly describeAlarms: number;
    readonly usd: number;
  };
}

/** DescribeAlarms takes at most 100 names a call. */
const NAMES_PER_CALL = 100;
const STATE_ORDER = ["ALARM", "INSUFFICIENT_DATA", "OK"];

/**
 * The names of the stack's alarms, as CloudFormation creates them.
 *
 * @example
 * alarmNamesOf(buildStack(stack).Resources); // ["shop-prod-error-rate", ...]
 */
export function alarmNamesOf(
  resources: Readonly<Record<string, Pick<CfnResource, "Type" | "Properties">>>,
) {
  return Object.values(resources)
    .filter(
      (r) => r.Type === "AWS::CloudWatch::Alarm" || r.Type === "AWS::CloudWatch::CompositeAlarm",
    )
    .map((r) => r.Properties?.AlarmName)
    .filter((name): name is string => typeof name === "string");
}

/**
 * Runs the report: the alarms first (none found means the stack is not deployed there), then
 * the metrics over `[end - sinceSeconds, end)`.
 *
 * @example
 * const report = await runReport(client, { stack, alarmNames, stages: ["prod"] }, 3600, Date.now());
 */
export async function runReport(
  client: ReportClient,
  target: {
    readonly stack: StackInput;
    readonly alarmNames: readonly string[];
    /** The stages `params` names: a stage outside them that has nothing deployed is unknown. */
    readonly stages: readonly string[];
  },
  sinceSeconds: number,
  now: number,
): Promise<Report> {
  const { stack } = target;
  const alarms: ReportAlarm[] = [];
  const namePages = pagesOf(target.alarmNames, NAMES_PER_CALL);
  for (const names of namePages) {
    const answer = await client.describeAlarms({
      AlarmNames: names,
      AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
      MaxRecords: NAMES_PER_CALL,
    });
    for (const [type, list] of [
      ["metric", answer.MetricAlarms],
      ["composite", answer.CompositeAlarms],
    ] as const) {
      for (const a of list ?? []) {
        alarms.push({
          name: a.AlarmName ?? "",
          type,
          state: a.StateValue ?? "",
          reason: a.StateReason ?? "",
        });
      }
    }
  }
  if (target.alarmNames.length > 0 && alarms.length === 0) {
    const where = `${stack.service} ${stack.stage} in ${stack.region}`;
    if (!target.stages.includes(stack.stage)) {
      throw new Error(
        `lambda-vitals: unknown stage "${stack.stage}": serverless.yml's params name ` +
          `${target.stages.map((s) => `"${s}"`).join(", ") || "no stage"}, and nothing of ${where} ` +
          "is deployed. Pass --stage with a deployed stage (and --region if it is not the default).",
      );
    }
    throw new Error(
      `lambda-vitals: ${where} is not deployed: none of its ${target.alarmNames.length} alarms ` +
        `exists (DescribeAlarms). Deploy it with serverless deploy --stage ${stack.stage}, or pass ` +
        "the --region it is deployed in.",
    );
  }
  // Whole minutes, the current one included: it holds the requests just made.
  const end = (Math.floor(now / 60_000) + 1) * 60_000;
  const start = end - sinceSeconds * 1000;
  const planned = planQueries(stack, sinceSeconds);
  const values = new Map<string, number>();
  const pages = pagesOf(planned);
  for (const page of pages) {
    const answer = await client.getMetricData({
      StartTime: new Date(start),
      EndTime: new Date(end),
      MetricDataQueries: page.map((p) => p.query),
    });
    for (const result of answer.MetricDataResults ?? []) {
      const value = result.Values?.[0];
      if (result.Id !== undefined && value !== undefined) values.set(result.Id, value);
    }
  }
  const rows = readRows(planned, values);
  const budget =
    stack.objectives === undefined
      ? undefined
      : await budgetLeft(client, stack, stack.objectives, end);
  alarms.sort((a, b) => rank(a.state) - rank(b.state) || a.name.localeCompare(b.name));
  return {
    service: stack.service,
    stage: stack.stage,
    region: stack.region,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    routes: rows.filter((r) => r.route !== "total"),
    total: rows.find((r) => r.route === "total") ?? emptyRow("total"),
    alarms,
    budget: budget?.report,
    calls: {
      getMetricData: pages.length + (budget === undefined ? 0 : 1),
      metricsRequested: planned.length + (budget?.metrics ?? 0),
      describeAlarms: namePages.length,
      usd:
        ((planned.length + (budget?.metrics ?? 0)) / 1000) * PRICES.getMetricDataPer1000Metrics +
        (namePages.length / 1000) * PRICES.apiPer1000Requests,
    },
  };
}

/**
 * The budget left over the last `periodDays` (one GetMetricData call, one datapoint per query
 * over the whole period: CloudWatch keeps hourly data for 455 days): the service's requests and
 * errors, and the percent of its latencies within the objective's threshold (`PR(:t)`).
 */
async function budgetLeft(
  client: ReportClient,
  stack: StackInput,
  objectives: Objectives,
  end: number,
): Promise<{ report: NonNullable<Report["budget"]>; metrics: number }> {
  const { metrics, dimensions } = CONTRACT;
  const period = objectives.periodDays * 86_400;
  const query = (id: string, metric: string, stat: string): ReportQuery => ({
    Id: id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: stack.namespace,
        MetricName: metric,
        Dimensions: [{ Name: dimensions.service, Value: stack.service }],
      },
      Period: period,
      Stat: stat,
    },
  });
  const queries = [
    query("budget_requests", metrics.requests.name, "Sum"),
    query("budget_errors", metrics.errors.name, "Sum"),
    query("budget_good", metrics.latency.name, `PR(:${objectives.latencyMs})`),
  ];
  const answer = await client.getMetricData({
    StartTime: new Date(end - period * 1000),
    EndTime: new Date(end),
    MetricDataQueries: queries,
  });
  const value = (id: string) => answer.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0];
  const requests = value("budget_requests") ?? 0;
  const errors = value("budget_errors") ?? 0;
  const good = value("budget_good");
  const left = (badPercent: number | undefined, objective: number) =>
    badPercent === undefined ? null : round(100 - (100 * badPercent) / budgetPercent(objective));
  return {
    report: {
      periodDays: objectives.periodDays,
      left: [
        {
          objective: `${objectives.availability}% of requests answered`,
          leftPercent: left(
            requests > 0 ? (100 * errors) / requests : undefined,
            objectives.availability,
          ),
        },
        {
          objective: `${objectives.latencyPercent}% within ${objectives.latencyMs} ms`,
          leftPercent: left(
            requests > 0 && good !== undefined ? 100 - good : undefined,
            objectives.latencyPercent,
          ),
        },
      ],
    },
    metrics: queries.length,
  };
}

function rank(state: string): number {
  const index = STATE_ORDER.indexOf(state);
  return index === -1 ? STATE_ORDER.length : index;
}

function readRows(
  planned: readonly PlannedQuery[],
  values: ReadonlyMap<string, number>,
): ReportRow[] {
  const byRow = new Map<string, Partial<Record<ReportField, number>>>();
  for (const p of planned) {
    const key = p.route ?? "total";
    const row = byRow.get(key) ?? {};
    const value = values.get(p.query.Id);
    if (value !== undefined) row[p.field] = value;
    byRow.set(key, row);
  }
  return [...byRow].map(([route, v]) => {
    const requests = v.requests ?? 0;
    const percent = (count: number | undefined) =>
      requests > 0 ? round(((count ?? 0) / requests) * 100) : null;
    return {
      route,
      requests,
      errorsPercent: percent(v.errors),
      clientErrorsPercent: percent(v.clientErrors),
      p50: v.p50 ?? null,
      p90: v.p90 ?? null,
      p99: v.p99 ?? null,
      coldStartPercent: percent(v.coldStarts),
      timeouts: v.timeouts ?? 0,
    };
  });
}

function emptyRow(route: string): ReportRow {
  return {
    route,
    requests: 0,
    errorsPercent: null,
    clientErrorsPercent: null,
    p50: null,
    p90: null,
    p99: null,
    coldStartPercent: null,
    timeouts: 0,
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * What went wrong, said so a user can act on it: no credentials, credentials AWS refused, or
 * anything else with the SDK's own message.
 *
 * @example
 * reportFailure(Object.assign(new Error("Could not load credentials from any providers"),
 *   { name: "CredentialsProviderError" }), "us-east-1"); // "lambda-vitals: no AWS credentials ..."
 */
export function reportFailure(error: unknown, region: string): string {
  const name = (error as { name?: unknown })?.name;
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith("lambda-vitals:")) return message;
  if (name === "CredentialsProviderError") {
    return (
      "lambda-vitals: no AWS credentials: the report reads CloudWatch in " +
      `${region}. Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or log in ` +
      `with aws sso login. (${message})`
    );
  }
  if (
    name === "InvalidClientTokenId" ||
    name === "UnrecognizedClientException" ||
    name === "ExpiredToken" ||
    name === "ExpiredTokenException" ||
    name === "InvalidSignatureException"
  ) {
    return `lambda-vitals: AWS refused the credentials (${String(name)}: ${message}). Renew them and run the report again.`;
  }
  if (name === "AccessDenied" || name === "AccessDeniedException") {
    return (
      "lambda-vitals: the credentials may not read CloudWatch: the report needs " +
      `cloudwatch:DescribeAlarms and cloudwatch:GetMetricData. (${message})`
    );
  }
  return `lambda-vitals: the report could not read CloudWatch in ${region}: ${String(name ?? "Error")}: ${message}`;
}
