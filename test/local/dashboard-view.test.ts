/**
 * The local dashboard draws the body the stack deploys: the real generator (infra/) builds the
 * template's resources, and the page's view of them is computed over a store fed with EMF lines.
 */
import { describe, expect, it } from "vitest";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { createMetricStore, MINUTE_MS, minuteOf } from "../../local";
import { noEvaluator, replayEvaluator } from "../../local/alarm-states";
import { viewDashboard, type WidgetView } from "../../local/dashboard-view";
import { readDeployedDashboard } from "../../local/deployed-dashboard";
import { matchesSearch, parseSearch, searchLabel } from "../../local/search";
import { emfLine } from "../fixtures/emf-lines";

const NOW = minuteOf(Date.now()) + 30_000;

function template() {
  const input = readServiceConfig({
    service: "shop",
    stage: "pr-42",
    region: "eu-west-1",
    functions: {
      getOrder: { events: [{ httpApi: "GET /orders/{id}" }] },
      health: {
        events: [{ httpApi: "GET /health" }, { schedule: "rate(1 minute)" }],
      },
    },
    vitals: {
      namespace: "Shop/pr-42",
      alarms: {
        errorRatePercent: 5,
        errorRateMinRequests: 5,
        latencyP99Ms: 1500,
        timeouts: 1,
        email: "",
      },
      permissions: { health: [{ Action: ["cloudwatch:GetMetricData"], Resource: "*" }] },
    },
  });
  return buildStack(input).Resources as Parameters<typeof readDeployedDashboard>[0];
}

function request(route: string, failed: boolean, at = NOW): string {
  return emfLine({
    timestamp: at,
    namespace: "Shop/pr-42",
    members: { Route: route, Errors: failed ? 1 : 0, ClientErrors: 0, status: failed ? 500 : 200 },
    metrics: [
      { Name: "Requests", Unit: "Count" },
      { Name: "Latency", Unit: "Milliseconds" },
      { Name: "Errors", Unit: "Count" },
      { Name: "ClientErrors", Unit: "Count" },
    ],
  });
}

function healthCheck(check: string, value: number): string {
  return emfLine({
    namespace: "Shop/pr-42",
    timestamp: NOW,
    dimensions: [["Service", "Check"]],
    metrics: [{ Name: "HealthCheck", Unit: "Count" }],
    members: { Route: undefined, Check: check, HealthCheck: value },
  });
}

type MetricView = Extract<WidgetView, { kind: "metric" }>;

function widget(views: WidgetView[], title: string): MetricView {
  const found = views.find(
    (v): v is MetricView => v.kind === "metric" && v.title.startsWith(title),
  );
  if (found === undefined) throw new Error(`no metric widget "${title}"`);
  return found;
}

function sum(points: readonly (number | null)[]): number {
  return points.reduce<number>((total, v) => total + (v ?? 0), 0);
}

describe("the local dashboard view of the deployed body", () => {
  it("keeps the body's layout, text and alarms, with placeholders resolved for this machine", () => {
    const dashboard = readDeployedDashboard(template(), "eu-west-1");

    const views = viewDashboard(
      dashboard,
      createMetricStore(),
      { end: NOW, minutes: 15 },
      noEvaluator(dashboard.alarms, createMetricStore(), NOW),
    );

    expect(dashboard.widgets.length).toBe(views.length);
    expect(views.map(({ x, y, width, height }) => ({ x, y, width, height }))).toEqual(
      dashboard.widgets.map(({ x, y, width, height }) => ({ x, y, width, height })),
    );
    expect(views[0]).toMatchObject({ kind: "text", markdown: expect.stringContaining("shop") });
    const alarms = views.find((v) => v.kind === "alarm");
    expect(alarms?.kind === "alarm" && alarms.alarms.length).toBe(
      dashboard.alarms.filter((a) => a.type === "AWS::CloudWatch::Alarm").length,
    );
    expect(alarms?.kind === "alarm" && alarms.alarms.every((a) => a.state === "no evaluator")).toBe(
      true,
    );
    expect(JSON.stringify(dashboard.widgets)).not.toContain("${");
    // What only API Gateway counts is said to be absent, not drawn as a local figure
    const refused = views.find((v) => v.kind === "metric" && v.title.startsWith("Refused before"));
    expect(refused).toMatchObject({
      problems: [],
      notes: ["AWS/ApiGateway is counted by AWS only: no local data"],
    });
  });

  it("charts each route's requests and errors from the store, and the error rate with metric math", () => {
    // Prepare: 10 failing requests this minute on one route, 3 healthy ones the minute before
    const store = createMetricStore();
    for (let i = 0; i < 10; i += 1) store.ingestLine(request("GET /orders/{id}", true), NOW);
    for (let i = 0; i < 3; i += 1)
      store.ingestLine(request("GET /health", false, NOW - MINUTE_MS), NOW);
    const dashboard = readDeployedDashboard(template(), "eu-west-1");

    // Act
    const views = viewDashboard(dashboard, store, { end: NOW, minutes: 15 }, []);

    // Assess
    const requests = widget(views, "Requests · GET /orders/{id}");
    expect(requests.times).toHaveLength(15);
    expect(requests.times.at(-1)).toBe(minuteOf(NOW) / 1000);
    expect(sum(requests.series[0]?.points ?? [])).toBe(10);
    expect(requests.series[0]?.points.at(-1)).toBe(10);
    const rate = widget(views, "Error rate % (0 below 5 requests/min) · GET /orders/{id}");
    const fiveHundreds = rate.series.find((s) => s.label.includes("5xx"));
    expect(fiveHundreds?.points.at(-1)).toBe(100);
    expect(rate.series.map((s) => s.label)).not.toContain("Requests"); // hidden rows stay hidden
    expect(rate.problems).toEqual([]);
    expect(sum(widget(views, "Requests · GET /health").series[0]?.points ?? [])).toBe(3);
  });

  it("finds the health checks with the SEARCH, and says that AWS/ metrics have no local data", () => {
    const store = createMetricStore();
    store.ingestLine(healthCheck("runtime:uptime", 1), NOW);
    store.ingestLine(healthCheck("service:errorRate", 0), NOW);

    const views = viewDashboard(
      readDeployedDashboard(template(), "eu-west-1"),
      store,
      { end: NOW, minutes: 5 },
      [],
    );

    const health = widget(views, "Health");
    expect(health.series.map((s) => s.label).sort()).toEqual(
      expect.arrayContaining(["runtime:uptime", "service:errorRate"]),
    );
    expect(health.series.find((s) => s.label === "service:errorRate")?.points.at(-1)).toBe(0);
    expect(widget(views, "Throttles").notes).toEqual([
      "AWS/Lambda is counted by AWS only: no local data",
    ]);
  });

  it("refuses a template without a dashboard with a clear error", () => {
    expect(() => readDeployedDashboard({}, "eu-west-1")).toThrow(
      "the template has no AWS::CloudWatch::Dashboard",
    );
    expect(() =>
      readDeployedDashboard(
        { D: { Type: "AWS::CloudWatch::Dashboard", Properties: { DashboardBody: "{not json" } } },
        "eu-west-1",
      ),
    ).toThrow("D: DashboardBody is not JSON once its placeholders are filled in");
  });
});

describe("metric math in a widget", () => {
  /** A dashboard of one chart: Requests and Errors of the service, and the expression rows. */
  function chartOf(expressions: Record<string, unknown>[]) {
    const metrics = [
      ["Shop/dev", "Requests", "Service", "shop", { stat: "Sum", id: "req", visible: false }],
      [".", "Errors", ".", ".", { stat: "Sum", id: "err", visible: false }],
      ...expressions.map((expression) => [expression]),
    ];
    const body = JSON.stringify({
      widgets: [
        {
          type: "metric",
          x: 0,
          y: 0,
          width: 6,
          height: 6,
          properties: { title: "t", period: 60, metrics },
        },
      ],
    });
    return readDeployedDashboard(
      { D: { Type: "AWS::CloudWatch::Dashboard", Properties: { DashboardBody: body } } },
      "eu-west-1",
    );
  }

  /** 2 requests with 2 failures two minutes ago, 10 with 1 failure last minute, none now. */
  function store() {
    const s = createMetricStore();
    const add = (at: number, failed: boolean) =>
      s.ingestLine(
        emfLine({ timestamp: at, namespace: "Shop/dev", members: { Errors: failed ? 1 : 0 } }),
        NOW,
      );
    for (let i = 0; i < 2; i += 1) add(NOW - 2 * MINUTE_MS, true);
    for (let i = 0; i < 10; i += 1) add(NOW - MINUTE_MS, i === 0);
    return s;
  }

  function view(expressions: Record<string, unknown>[]): MetricView {
    return widget(viewDashboard(chartOf(expressions), store(), { end: NOW, minutes: 3 }, []), "t");
  }

  it("evaluates period by period; a missing datapoint or a division by zero gives none", () => {
    const chart = view([{ expression: "100 * err / req", id: "rate", label: "rate" }]);
    expect(chart.series).toEqual([
      { label: "rate", color: expect.any(String), points: [100, 10, null] },
    ]);
    expect(chart.problems).toEqual([]);
  });

  it("draws the guards the error-rate charts use: IF with a comparison, and FILL", () => {
    const chart = view([
      { expression: "IF(req >= 5, 100 * err / req)", id: "guarded", label: "guarded" },
      { expression: "FILL(err, 0)", id: "filled", label: "filled" },
    ]);
    expect(chart.series.map((s) => s.points)).toEqual([
      [null, 10, null],
      [2, 1, 0],
    ]);
  });

  it("names what it cannot draw in the widget, and draws the rest", () => {
    const chart = view([
      { expression: "ANOMALY_DETECTION_BAND(req)", id: "band" },
      { expression: "m9 * 2", id: "unknown" },
      {
        expression: "SUM(SEARCH('{Shop/dev,Service} MetricName=\"Errors\"', 'Sum', 60))",
        id: "nested",
      },
      { expression: "err", id: "plain", label: "plain" },
    ]);
    expect(chart.problems).toEqual([
      "band: metric math: function ANOMALY_DETECTION_BAND is not supported",
      'unknown: "m9" is not the id of a metric in this widget',
      "nested: SEARCH inside other metric math is not drawn locally",
    ]);
    expect(chart.series.map((s) => s.label)).toEqual(["plain"]);
  });
});

describe("SEARCH", () => {
  const metric = {
    namespace: "Shop/pr-42",
    name: "HealthCheck",
    dimensions: { Service: "shop", Check: "db:ping" },
    units: ["Count"],
  };

  it("matches the schema's exact dimension set and every term, with quoted names", () => {
    const quoted = parseSearch(
      '{"Shop/pr-42",Service,Check} MetricName="HealthCheck" Service="shop"',
    );
    const bare = parseSearch('{Shop/pr-42,Service,Check} MetricName="HealthCheck"');

    expect(quoted).toEqual({
      namespace: "Shop/pr-42",
      dimensionNames: ["Service", "Check"],
      terms: { MetricName: "HealthCheck", Service: "shop" },
      words: [],
    });
    expect(matchesSearch(quoted, metric)).toBe(true);
    expect(matchesSearch(bare, metric)).toBe(true);
    expect(matchesSearch(quoted, { ...metric, dimensions: { Service: "shop" } })).toBe(false);
    expect(
      matchesSearch(quoted, { ...metric, dimensions: { ...metric.dimensions, Service: "other" } }),
    ).toBe(false);
    expect(searchLabel(quoted, metric)).toBe("db:ping");
  });

  it("refuses a query without a schema", () => {
    expect(() => parseSearch('MetricName="Health"')).toThrow("has no {Namespace,...} schema");
  });
});

describe("the alarm widget's states", () => {
  it("are the local evaluator's: the error-rate alarm fires after 3 bad minutes of 5, silence fires the health alarm", () => {
    // Prepare: the last 5 complete minutes, 10 requests each, half of them failing
    const store = createMetricStore();
    const resources = template();
    for (let minute = 1; minute <= 5; minute += 1) {
      for (let i = 0; i < 10; i += 1) {
        store.ingestLine(request("GET /orders/{id}", i % 2 === 0, NOW - minute * MINUTE_MS), NOW);
      }
    }
    const dashboard = readDeployedDashboard(resources, "eu-west-1");

    // Act
    const states = Object.fromEntries(
      replayEvaluator(dashboard.alarms, store, NOW).map((a) => [a.id, a.state]),
    );

    // Assess
    expect(states.ErrorRateAlarm).toBe("ALARM");
    expect(states.LatencyP99Alarm).toBe("OK");
    expect(states.TimeoutsAlarm).toBe("OK");
    expect(states.HealthAlarm).toBe("ALARM"); // no Health datapoints: missing data is breaching
    const views = viewDashboard(
      dashboard,
      store,
      { end: NOW, minutes: 15 },
      replayEvaluator(dashboard.alarms, store, NOW),
    );
    const widgetStates = views.flatMap((v) =>
      v.kind === "alarm" ? v.alarms.map((a) => a.state) : [],
    );
    expect(widgetStates).toContain("ALARM");
  });

  it("lists an alarm the evaluator refuses as not evaluated, with its reason, and evaluates the others", () => {
    const resources = template();
    const dashboard = readDeployedDashboard(resources, "eu-west-1");
    const broken = {
      id: "SearchAlarm",
      name: "search-alarm",
      type: "AWS::CloudWatch::Alarm",
      properties: {
        Metrics: [
          { Id: "s", Expression: "SEARCH('{Shop/pr-42} Errors', 'Sum', 60)", ReturnData: true },
        ],
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanThreshold",
      },
    };

    const views = replayEvaluator([...dashboard.alarms, broken], createMetricStore(), NOW);

    expect(views.find((v) => v.id === "SearchAlarm")).toMatchObject({
      state: "not evaluated",
      reason: "alarm SearchAlarm: s is a query this evaluator does not run",
    });
    expect(views.find((v) => v.id === "ErrorRateAlarm")?.state).toBe("OK");
  });
});
