/**
 * The stack generator as pure functions: the config it reads, and the proof that the dashboard
 * and alarms follow the metric contract, so a renamed metric cannot leave a dead widget behind.
 */
import { describe, expect, it } from "vitest";
import { CONTRACT, type Contract, emittedMetrics } from "../../infra/emitted";
import { readServiceConfig, type ServiceConfig, type StackInput } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { metricReferences, staleReferences } from "./references";
import { specProblems } from "./spec";

function serviceConfig(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    service: "shop",
    stage: "dev",
    region: "eu-west-1",
    functions: {
      getOrder: { events: [{ httpApi: "GET /orders/{id}" }] },
      createOrder: { events: [{ httpApi: { method: "post", path: "/orders" } }] },
      health: { events: [{ httpApi: "GET /health" }, { schedule: "rate(1 minute)" }] },
    },
    vitals: {
      namespace: "Shop/dev",
      alarms: {
        errorRatePercent: 5,
        errorRateMinRequests: "10",
        latencyP99Ms: 1500,
        timeouts: 1,
        email: "",
      },
      permissions: {
        health: [{ Action: ["cloudwatch:GetMetricData"], Resource: "*" }],
      },
    },
    ...overrides,
  };
}

function emittedBy(input: StackInput, contract: Contract = CONTRACT) {
  return {
    namespace: input.namespace,
    service: input.service,
    routes: input.functions.flatMap((fn) => fn.routes),
    metrics: emittedMetrics(contract),
    functionNames: input.functions.map((fn) => fn.name),
  };
}

/** The contract with one metric renamed, as a refactoring of the library would leave it. */
const RENAMED: Contract = {
  ...CONTRACT,
  metrics: { ...CONTRACT.metrics, latency: { name: "DurationMs", unit: "Milliseconds" } },
};

describe("readServiceConfig", () => {
  it("takes routes from the functions' httpApi events, in the wrapper's Route form", () => {
    // Act
    const input = readServiceConfig(serviceConfig());

    // Assess
    expect(input.functions.map((fn) => [fn.name, fn.routes])).toEqual([
      ["shop-dev-getOrder", ["GET /orders/{id}"]],
      ["shop-dev-createOrder", ["POST /orders"]],
      ["shop-dev-health", ["GET /health"]],
    ]);
    expect(input.thresholds.errorRateMinRequests).toBe(10);
  });

  it("refuses wildcard actions and permissions for functions that do not exist", () => {
    // Prepare
    const withPermissions = (permissions: unknown) =>
      serviceConfig({
        vitals: { ...(serviceConfig().vitals as object), permissions },
      });

    // Act and assess
    expect(() =>
      readServiceConfig(withPermissions({ health: [{ Action: "cloudwatch:*", Resource: "*" }] })),
    ).toThrow(/no wildcards/);
    expect(() =>
      readServiceConfig(withPermissions({ healht: [{ Action: "s3:GetObject", Resource: "*" }] })),
    ).toThrow(/there is no function "healht"/);
  });

  it("refuses a Deny or a key it does not carry, rather than turning it into an Allow", () => {
    // Prepare
    const withPermissions = (permissions: unknown) =>
      serviceConfig({
        vitals: { ...(serviceConfig().vitals as object), permissions },
      });

    // Act and assess
    expect(() =>
      readServiceConfig(
        withPermissions({ health: [{ Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" }] }),
      ),
    ).toThrow(/only Effect "Allow" is supported here .* goes under provider.iam.role.statements/);
    expect(() =>
      readServiceConfig(
        withPermissions({ health: [{ Action: "s3:GetObject", NotResource: "arn:aws:s3:::x/*" }] }),
      ),
    ).toThrow(/"NotResource" is not supported/);
    const conditional = readServiceConfig(
      withPermissions({
        health: [
          {
            Action: "s3:GetObject",
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/team": "orders" } },
          },
        ],
      }),
    );
    expect(conditional.functions.find((f) => f.key === "health")?.statements[0]).toMatchObject({
      Effect: "Allow",
      Condition: { StringEquals: { "aws:ResourceTag/team": "orders" } },
    });
  });

  it("refuses a threshold that is not a positive number", () => {
    // Prepare
    const base = serviceConfig().vitals as { alarms: object };
    const config = serviceConfig({
      vitals: { ...base, alarms: { ...base.alarms, latencyP99Ms: "fast" } },
    });

    // Act and assess
    expect(() => readServiceConfig(config)).toThrow(/latencyP99Ms must be a number > 0/);
  });
});

describe("buildStack", () => {
  it("references only emitted metrics, and every resource passes the AWS resource database", () => {
    // Prepare
    const input = readServiceConfig(serviceConfig());

    // Act
    const { Resources } = buildStack(input);

    // Assess
    expect(staleReferences(metricReferences(Resources), emittedBy(input))).toEqual([]);
    expect(Object.entries(Resources).flatMap(([id, r]) => specProblems(id, r))).toEqual([]);
  });

  it("follows a renamed metric into the dashboard and the alarms", () => {
    // Prepare
    const input = readServiceConfig(serviceConfig());

    // Act
    const names = metricReferences(buildStack(input, RENAMED).Resources).map((r) => r.name);

    // Assess
    expect(names).toContain("DurationMs");
    expect(names).not.toContain("Latency");
  });

  it("flags every widget and alarm left on a metric the code no longer emits", () => {
    // Prepare: a stack built before the rename, checked against the code after it
    const input = readServiceConfig(serviceConfig());
    const before = buildStack(input, CONTRACT);

    // Act
    const stale = staleReferences(metricReferences(before.Resources), emittedBy(input, RENAMED));

    // Assess: the latency charts (service and each route) and the p99 alarm
    expect(stale.length).toBeGreaterThanOrEqual(4);
    expect(stale.every((problem) => problem.includes("Latency"))).toBe(true);
    expect(stale.some((problem) => problem.startsWith("LatencyP99Alarm"))).toBe(true);
  });

  it("flags references to dimension sets, routes and services the code does not write", () => {
    // Prepare
    const input = readServiceConfig(serviceConfig());
    const emitted = emittedBy(input);
    const ref = { where: "Widget", namespace: "Shop/dev" };

    // Act
    const stale = staleReferences(
      [
        { ...ref, name: "Health", dimensions: { Service: "shop", Route: "GET /health" } },
        { ...ref, name: "Requests", dimensions: { Service: "shop", Route: "GET /nope" } },
        { ...ref, name: "Latency", dimensions: { Service: "other" }, unit: "Seconds" },
      ],
      emitted,
    );

    // Assess
    expect(stale).toEqual([
      "Widget: Shop/dev Health: dimensions [Route,Service] are not a set the code writes",
      'Widget: Shop/dev Requests: Route "GET /nope" is not a route of this service',
      "Widget: Shop/dev Latency: unit Seconds, the code writes Milliseconds",
      'Widget: Shop/dev Latency: Service "other" is not "shop"',
    ]);
  });

  it("leaves out the health alarm and widget when there is no health function to feed them", () => {
    // Prepare
    const { health: _, ...withoutHealth } = serviceConfig().functions as Record<string, unknown>;
    const vitals = { ...(serviceConfig().vitals as object), permissions: {} };
    const input = readServiceConfig(serviceConfig({ functions: withoutHealth, vitals }));

    // Act
    const { Resources } = buildStack(input);

    // Assess: nothing would write Health, and a breaching-on-missing alarm would never clear
    expect(Resources.HealthAlarm).toBeUndefined();
    expect(metricReferences(Resources).map((r) => r.name)).not.toContain("Health");
    expect(Resources.ErrorRateAlarm).toBeDefined();
  });

  it("charts what API Gateway answered, 429s included, for each kind of API the service has", () => {
    // Prepare: the HTTP API of httpApi events, then a REST API (http events) beside it
    const both = serviceConfig();
    (both.functions as Record<string, { events: unknown[] }>).getOrder?.events.push({
      http: "GET orders/{id}/rest",
    });
    const none = serviceConfig({
      functions: { job: { events: [{ schedule: "rate(1 hour)" }] } },
      vitals: { ...(serviceConfig().vitals as object), permissions: {} },
    });

    // Act
    const widgets = (config: ServiceConfig) => {
      const { Resources } = buildStack(readServiceConfig(config));
      const dashboard = Object.values(Resources).find(
        (r) => r.Type === "AWS::CloudWatch::Dashboard",
      );
      const body = JSON.parse(
        (dashboard?.Properties?.DashboardBody as { "Fn::Sub": string } | undefined)?.["Fn::Sub"] ??
          "",
      ) as { widgets: { properties: { metrics?: (string | Record<string, unknown>)[][] } }[] };
      return body.widgets.map((w) => w.properties.metrics ?? []);
    };
    const shown = (metrics: (string | Record<string, unknown>)[][]) =>
      metrics
        .filter(
          (row) =>
            row[0] === "AWS/ApiGateway" && (row.at(-1) as { visible?: boolean })?.visible !== false,
        )
        .map((row) => row.slice(1, 4).join(" "));
    const refused = widgets(both).find((metrics) =>
      metrics.some((row) => (row[0] as { id?: string }).id === "refused"),
    );

    // Assess: a 429 from the stage's throttling never reaches a function, so only these show it
    const httpApiId = ["$", "{HttpApi}"].join("");
    expect(widgets(both).flatMap(shown)).toEqual([
      `Count ApiId ${httpApiId}`,
      `4xx ApiId ${httpApiId}`,
      `5xx ApiId ${httpApiId}`,
      "Count ApiName dev-shop",
      "4XXError ApiName dev-shop",
      "5XXError ApiName dev-shop",
    ]);
    // ... and what API Gateway answered 4xx that no function did: both APIs less the functions'
    expect(refused?.map((row) => row.slice(0, 4).join(" "))).toEqual([
      `AWS/ApiGateway 4xx ApiId ${httpApiId}`,
      "AWS/ApiGateway 4XXError ApiName dev-shop",
      "Shop/dev ClientErrors Service shop",
      "[object Object]",
    ]);
    expect(refused?.at(-1)?.[0]).toMatchObject({
      expression:
        "IF((FILL(gw0, 0) + FILL(gw1, 0) - FILL(fn, 0)) > 0, FILL(gw0, 0) + FILL(gw1, 0) - FILL(fn, 0), 0)",
    });
    expect(
      widgets(none)
        .flat()
        .filter((row) => row[0] === "AWS/ApiGateway"),
    ).toEqual([]);
  });

  it("makes one role per function, with extra statements only where listed", () => {
    // Prepare
    const input = readServiceConfig(serviceConfig());

    // Act
    const { Resources } = buildStack(input);

    // Assess
    expect(JSON.stringify(Resources.HealthRole)).toContain("cloudwatch:GetMetricData");
    expect(JSON.stringify(Resources.GetOrderRole)).not.toContain("cloudwatch:");
    expect(JSON.stringify(Resources.GetOrderRole)).toContain(
      "log-group:/aws/lambda/shop-dev-getOrder",
    );
  });
});

describe("specProblems", () => {
  it("reports unknown types, unknown and missing properties, and wrong value shapes", () => {
    // Act
    const problems = [
      ...specProblems("A", { Type: "AWS::CloudWatch::Alarmz", Properties: {} }),
      ...specProblems("B", {
        Type: "AWS::CloudWatch::Alarm",
        Properties: {
          EvaluationPeriods: "five",
          ComparisonOperator: "GreaterThanThreshold",
          Treshold: 1,
        },
      }),
    ];

    // Assess
    expect(problems).toContain("A: unknown type AWS::CloudWatch::Alarmz");
    expect(problems).toContain("B(AWS::CloudWatch::Alarm).Treshold: not a property of this type");
    expect(problems.some((p) => p.includes("EvaluationPeriods") && p.includes("integer"))).toBe(
      true,
    );
  });
});
