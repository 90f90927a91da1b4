/**
 * The CloudWatch dashboard: the service at a glance, then one row per route, then the Lambda
 * service's own metrics for the same functions. Every custom metric comes from the contract, and
 * every route from the functions' `httpApi` events.
 */
import { guardedRate, HTTP_API_ID } from "./alarms";
import type { Contract } from "./emitted";
import { hasHealthFunction, type StackInput } from "./service";
import { burnRate } from "./slo-alarms";

/** A metric row of a widget: namespace, name, dimension pairs, then rendering options. */
type MetricRow = (string | Record<string, unknown>)[];

export interface Widget {
  readonly type: "metric" | "text" | "alarm";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Record<string, unknown>;
}

/** Widgets before layout: a full-width heading or a quarter-width chart. */
type Block = Omit<Widget, "x" | "y" | "width" | "height">;

/**
 * `${AWS::Region}` and `${Alarm.Arn}` stay as `Fn::Sub` placeholders, so the body is correct in
 * whatever region CloudFormation deploys it.
 */
const REGION = placeholder("AWS::Region");
const PERIOD = 60;

/**
 * The dashboard's name: dashboards are global to an account, so two regions of one stage must not
 * overwrite each other.
 *
 * @example
 * dashboardName({ service: "shop", stage: "prod", region: "eu-west-1" }); // "shop-prod-eu-west-1"
 */
export function dashboardName(input: Pick<StackInput, "service" | "stage" | "region">): string {
  return `${input.service}-${input.stage}-${input.region}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

/**
 * The console address of the dashboard.
 *
 * @example
 * dashboardUrl({ service: "shop", stage: "prod", region: "eu-west-1" });
 */
export function dashboardUrl(input: Pick<StackInput, "service" | "stage" | "region">): string {
  const { region } = input;
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName(input)}`;
}

/**
 * The dashboard body, with `Fn::Sub` placeholders for the region and the alarms' ARNs.
 *
 * @example
 * const body = dashboardBody(input, CONTRACT, ["ErrorRateAlarm"]);
 * const resource = { "Fn::Sub": JSON.stringify(body) };
 */
export function dashboardBody(
  input: StackInput,
  contract: Contract,
  alarmIds: readonly string[],
): { widgets: Widget[] } {
  const service = { [contract.dimensions.service]: input.service };
  const routes = input.functions.flatMap((fn) => fn.routes);
  const blocks: Block[] = [
    heading(`# ${input.service} · ${input.stage} · namespace \`${input.namespace}\``),
    ...requestBlocks(input, contract, service, "service"),
    ...budgetBlocks(input, contract, service, "service"),
    ...(hasHealthFunction(input) ? [healthBlock(input, contract)] : []),
    alarmBlock(alarmIds),
    chart("Dropped metric data (invalid values a handler recorded)", [
      [input.namespace, contract.droppedMetricData.name, ...pairs(service), { stat: "Sum" }],
    ]),
    ...routes.flatMap((route) => {
      const dimensions = { ...service, [contract.dimensions.route]: route };
      return [
        heading(`## ${route}`),
        ...requestBlocks(input, contract, dimensions, route),
        // the budget left and the last hour's burn rate: the 6 h and 3 d windows are the
        // service's (a route with objectives of its own has alarms over all of them)
        ...budgetBlocks(input, contract, dimensions, route).slice(0, 2),
      ];
    }),
    ...apiBlocks(input, contract),
    heading("## Lambda (AWS/Lambda, per function)"),
    ...lambdaBlocks(input),
  ];
  return { widgets: layout(blocks) };
}

/** Requests and errors, error rate, latency percentiles, cold starts and timeouts. */
function requestBlocks(
  input: StackInput,
  contract: Contract,
  dimensions: Record<string, string>,
  label: string,
): Block[] {
  const { metrics } = contract;
  const ns = input.namespace;
  const dims = pairs(dimensions);
  const minRequests = input.thresholds.errorRateMinRequests;
  return [
    chart(`Requests · ${label}`, [
      [ns, metrics.requests.name, ...dims, { stat: "Sum", label: "requests" }],
      [ns, metrics.errors.name, ...dims, { stat: "Sum", label: "5xx / thrown", color: "#d62728" }],
      [ns, metrics.clientErrors.name, ...dims, { stat: "Sum", label: "4xx", color: "#ff7f0e" }],
    ]),
    chart(
      `Error rate % (0 below ${minRequests} requests/min) · ${label}`,
      [
        [ns, metrics.requests.name, ...dims, { stat: "Sum", id: "req", visible: false }],
        [ns, metrics.errors.name, ...dims, { stat: "Sum", id: "err", visible: false }],
        [ns, metrics.clientErrors.name, ...dims, { stat: "Sum", id: "cli", visible: false }],
        // The alarm's guard: a minute with fewer requests draws 0 %, not 100 % for one failure.
        [
          {
            expression: guardedRate("err", "req", minRequests),
            label: "5xx rate %",
            id: "errRate",
            color: "#d62728",
          },
        ],
        [
          {
            expression: guardedRate("cli", "req", minRequests),
            label: "4xx rate %",
            id: "cliRate",
            color: "#ff7f0e",
          },
        ],
      ],
      { left: { min: 0, max: 100, label: "%", showUnits: false } },
    ),
    chart(
      `Latency (${metrics.latency.unit}) · ${label}`,
      ["p50", "p90", "p99"].map((stat) => [
        ns,
        metrics.latency.name,
        ...dims,
        { stat, label: stat },
      ]),
    ),
    chart(`Cold starts and timeouts · ${label}`, [
      [ns, metrics.coldStart.name, ...dims, { stat: "Sum", label: "cold starts" }],
      [ns, metrics.timeouts.name, ...dims, { stat: "Sum", label: "timeouts", color: "#d62728" }],
    ]),
  ];
}

/**
 * The error budget of the objectives: what is left of it over the compliance period, and the
 * burn rate over the last hour, 6 hours and 3 days (the long windows of the alarms). Each is a
 * single value over its own time range (`start`, `setPeriodToTimeRange`), whatever range the
 * dashboard shows. A route row gets the first two: its budget left and its last hour.
 */
function budgetBlocks(
  input: StackInput,
  contract: Contract,
  dimensions: Record<string, string>,
  label: string,
): Block[] {
  const service = input.objectives;
  if (service === undefined) return [];
  // a route with objectives of its own is judged by them
  const own = service.routes.find((r) => r.route === dimensions[contract.dimensions.route]);
  const objectives = { ...service, ...own };
  const { metrics } = contract;
  const ns = input.namespace;
  const dims = pairs(dimensions);
  const rows = (value: (burn: string) => string): MetricRow[] => [
    // the ids burnRate reads, as the alarms' queries name them
    [ns, metrics.requests.name, ...dims, { stat: "Sum", id: "requests", visible: false }],
    [ns, metrics.errors.name, ...dims, { stat: "Sum", id: "bad", visible: false }],
    [
      ns,
      metrics.latency.name,
      ...dims,
      { stat: `PR(:${objectives.latencyMs})`, id: "good", visible: false },
    ],
    [
      {
        expression: value(burnRate("availability", objectives)),
        label: "availability",
        id: "availability",
      },
    ],
    [{ expression: value(burnRate("latency", objectives)), label: "latency", id: "latency" }],
  ];
  const single = (title: string, start: string, value: (burn: string) => string): Block => ({
    type: "metric",
    properties: {
      title,
      region: REGION,
      view: "singleValue",
      start,
      setPeriodToTimeRange: true,
      metrics: rows(value),
    },
  });
  const period = objectives.periodDays;
  return [
    single(
      `Error budget left over ${period} days, % (objectives ${objectives.availability}% available, ${objectives.latencyPercent}% within ${objectives.latencyMs} ms) · ${label}`,
      `-P${period}D`,
      (burn) => `100 - 100 * (${burn})`,
    ),
    ...[
      ["1 h", "-PT1H"],
      ["6 h", "-PT6H"],
      ["3 days", "-P3D"],
    ].map(([window, start]) =>
      single(
        `Burn rate, last ${window} (1 = the budget lasts the period) · ${label}`,
        String(start),
        (burn) => burn,
      ),
    ),
  ];
}

/**
 * `Health` is one series per service. `HealthCheck` has one series per check, and the check names
 * live in the health function's code, not in any config this generator reads, so a SEARCH finds
 * them; it still names only the contract's metric and dimensions.
 */
function healthBlock(input: StackInput, contract: Contract): Block {
  const { health, check } = contract.healthMetrics;
  const service = contract.dimensions.service;
  // The search-expression syntax wants a name with a character other than letters and digits
  // (the `/` of every namespace here, the `-` of a stage) in double quotes.
  const search =
    `SEARCH('{${quoted(input.namespace)},${service},${contract.healthCheckDimension}} ` +
    `MetricName=${quoted(check.name)} ${service}=${quoted(input.service)}', 'Minimum', ${PERIOD})`;
  return chart(
    "Health, from the scheduled run (overall: 0 = fail; each check: 0 = warn or fail)",
    [
      [input.namespace, health.name, service, input.service, { stat: "Minimum", label: "overall" }],
      [{ expression: search, id: "checks", label: "" }],
    ],
    { left: { min: 0, max: 1, showUnits: false } },
  );
}

function alarmBlock(alarmIds: readonly string[]): Block {
  return {
    type: "alarm",
    properties: {
      title: "Alarms",
      alarms: alarmIds.map((id) => placeholder(`${id}.Arn`)),
      sortBy: "stateUpdatedTimestamp",
    },
  };
}

/**
 * What API Gateway answered, as it counts: a request that the stage's throttling refused (429) or
 * that API Gateway failed itself never reaches a function, so no line of the wrapper counts it.
 * HTTP APIs publish `Count`, `4xx` and `5xx` under `ApiId`, and no throttle metric: a 429 is
 * counted in `4xx`. REST APIs publish `Count`, `4XXError` and `5XXError` under `ApiName` (API
 * Gateway developer guide, "Monitor CloudWatch metrics for HTTP APIs" and "Amazon API Gateway
 * dimensions and metrics").
 */
function apiBlocks(input: StackInput, contract: Contract): Block[] {
  const apis: [string, string[], string, string][] = [];
  if (input.apis.httpApi)
    apis.push(["HTTP API", ["ApiId", placeholder(HTTP_API_ID)], "4xx", "5xx"]);
  const restApi = input.apis.restApiName;
  if (restApi !== undefined) apis.push(["REST API", ["ApiName", restApi], "4XXError", "5XXError"]);
  if (apis.length === 0) return [];
  const gateway = "AWS/ApiGateway";
  const service = [contract.dimensions.service, input.service];
  // What API Gateway answered 4xx less what the functions answered 4xx: the answers no function
  // gave (throttled 429s, no route, a body over the limit). Below 0 it is a minute's skew: 0.
  const refused = `${apis.map((_, i) => `FILL(gw${i}, 0)`).join(" + ")} - FILL(fn, 0)`;
  return [
    heading("## API Gateway (AWS/ApiGateway: every answer, those no function saw included)"),
    ...apis.map(([kind, dimension, clientErrors, serverErrors]) =>
      chart(`${kind}: answers, 4xx (throttled 429s included), 5xx`, [
        [gateway, "Count", ...dimension, { stat: "Sum", label: "requests" }],
        [gateway, clientErrors, ...dimension, { stat: "Sum", label: "4xx", color: "#ff7f0e" }],
        [gateway, serverErrors, ...dimension, { stat: "Sum", label: "5xx", color: "#d62728" }],
      ]),
    ),
    chart("Refused before any function ran (API Gateway's 4xx less the functions'; 429s here)", [
      ...apis.map(([, dimension, clientErrors], i) => [
        gateway,
        clientErrors,
        ...dimension,
        { stat: "Sum", id: `gw${i}`, visible: false },
      ]),
      [
        input.namespace,
        contract.metrics.clientErrors.name,
        ...service,
        { stat: "Sum", id: "fn", visible: false },
      ],
      [{ expression: `IF((${refused}) > 0, ${refused}, 0)`, label: "refused", id: "refused" }],
    ]),
  ];
}

/** Throttles, concurrency and duration from AWS/Lambda, beside the custom metrics they explain. */
function lambdaBlocks(input: StackInput): Block[] {
  const perFunction = (metric: string, stat: string): MetricRow[] =>
    input.functions.map((fn) => [
      "AWS/Lambda",
      metric,
      "FunctionName",
      fn.name,
      { stat, label: fn.key },
    ]);
  return [
    chart("Throttles (Sum)", perFunction("Throttles", "Sum")),
    chart("Concurrent executions (Maximum)", perFunction("ConcurrentExecutions", "Maximum")),
    chart("Duration p99 (ms, billed run time)", perFunction("Duration", "p99")),
    chart("Invocation errors (Sum, includes crashes the wrapper never saw)", [
      ...perFunction("Errors", "Sum"),
    ]),
  ];
}

function chart(title: string, metrics: MetricRow[], yAxis?: Record<string, unknown>): Block {
  return {
    type: "metric",
    properties: {
      title,
      region: REGION,
      view: "timeSeries",
      stacked: false,
      period: PERIOD,
      metrics,
      ...(yAxis === undefined ? {} : { yAxis }),
    },
  };
}

/**
 * A name in double quotes for a SEARCH expression, which is itself in single quotes: a name with
 * either quote cannot be written safely, so it is refused rather than breaking the dashboard.
 */
function quoted(name: string): string {
  if (/["'\\]/.test(name)) {
    throw new Error(`lambda-vitals dashboard: ${JSON.stringify(name)} has a quote or backslash`);
  }
  return `"${name}"`;
}

function placeholder(name: string): string {
  return `\${${name}}`;
}

function heading(markdown: string): Block {
  return { type: "text", properties: { markdown } };
}

function pairs(dimensions: Record<string, string>): string[] {
  return Object.entries(dimensions).flat();
}

/** Headings take a full row of height 1; charts fill rows of four, 6 × 6 each. */
function layout(blocks: readonly Block[]): Widget[] {
  const widgets: Widget[] = [];
  let x = 0;
  let y = 0;
  for (const block of blocks) {
    if (block.type === "text") {
      if (x > 0) y += 6;
      widgets.push({ ...block, x: 0, y, width: 24, height: 1 });
      x = 0;
      y += 1;
      continue;
    }
    if (x >= 24) {
      x = 0;
      y += 6;
    }
    widgets.push({ ...block, x, y, width: 6, height: 6 });
    x += 6;
  }
  return widgets;
}
