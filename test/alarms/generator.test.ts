/**
 * The alarms and dashboard as the generator writes them: AWS's own counts per function, the API's
 * 5xx, one composite alarm that pages, CloudWatch's limits, and the dashboard findings fixed.
 */
import { describe, expect, it } from "vitest";
import { SIBLINGS_VARIABLE } from "../../functions/vitals/contract";
import type { CfnResource } from "../../infra/cfn";
import { functionEnvironment } from "../../infra/environment";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { serviceConfig } from "../fixtures/service-config";

function alarmsOf(resources: Record<string, CfnResource>) {
  return Object.entries(resources).filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm");
}

function propertiesOf(resources: Record<string, CfnResource>, id: string) {
  const resource = resources[id];
  if (resource === undefined) throw new Error(`no resource ${id}`);
  return resource.Properties;
}

function dashboardText(resources: Record<string, CfnResource>): string {
  return (propertiesOf(resources, "VitalsDashboard").DashboardBody as { "Fn::Sub": string })[
    "Fn::Sub"
  ];
}

describe("alarms on what the wrapper cannot see", () => {
  it("watches each function's AWS/Lambda Errors and Throttles by FunctionName", () => {
    // Act
    const { Resources } = buildStack(readServiceConfig(serviceConfig()));

    // Assess
    expect(Resources.GetOrderErrorsAlarm?.Properties).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: "shop-prod-getOrder" }],
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
    expect(Resources.HealthThrottlesAlarm?.Properties).toMatchObject({
      MetricName: "Throttles",
      Dimensions: [{ Name: "FunctionName", Value: "shop-prod-health" }],
      DatapointsToAlarm: 3,
      EvaluationPeriods: 5,
    });
  });

  it("takes the invocation-error and throttle thresholds from the stage's params", () => {
    // Act
    const { Resources } = buildStack(
      readServiceConfig(serviceConfig({ alarms: { invocationErrors: "3", throttles: 10 } })),
    );

    // Assess
    expect(Resources.GetOrderErrorsAlarm?.Properties.Threshold).toBe(3);
    expect(Resources.GetOrderThrottlesAlarm?.Properties.Threshold).toBe(10);
  });

  it("refuses a threshold that is not a positive number, naming it", () => {
    expect(() => readServiceConfig(serviceConfig({ alarms: { throttles: "many" } }))).toThrow(
      "custom.vitals.alarms.throttles must be a number > 0, got many",
    );
  });

  it("watches a REST API's 5XXError by ApiName, beside the HTTP API's 5xx by ApiId", () => {
    // Prepare
    const config = serviceConfig({
      functions: { getOrder: { events: [{ http: { method: "get", path: "orders/{id}" } }] } },
    });

    // Act
    const { Resources } = buildStack(readServiceConfig(config));

    // Assess
    const metrics = (id: string) =>
      (propertiesOf(Resources, id).Metrics as { MetricStat?: { Metric: unknown } }[]).flatMap(
        (q) => (q.MetricStat ? [q.MetricStat.Metric] : []),
      );
    expect(metrics("RestApi5xxAlarm")).toEqual([
      {
        Namespace: "AWS/ApiGateway",
        MetricName: "Count",
        Dimensions: [{ Name: "ApiName", Value: "prod-shop" }],
      },
      {
        Namespace: "AWS/ApiGateway",
        MetricName: "5XXError",
        Dimensions: [{ Name: "ApiName", Value: "prod-shop" }],
      },
    ]);
    expect(metrics("HttpApi5xxAlarm").map((m) => (m as { MetricName: string }).MetricName)).toEqual(
      ["Count", "5xx"],
    );
  });

  it("has no API alarm for a service without API Gateway events", () => {
    // Prepare
    const config = serviceConfig({
      routes: ["worker"],
      health: false,
      functions: { worker: { events: [{ schedule: "rate(5 minutes)" }] } },
    });

    // Act
    const { Resources } = buildStack(readServiceConfig(config));

    // Assess
    expect(Object.keys(Resources).filter((id) => id.includes("Api"))).toEqual([]);
    expect(Resources.WorkerErrorsAlarm).toBeDefined();
  });

  it("stays within 10 metrics per alarm for a service of 40 functions", () => {
    // Prepare
    const routes = Array.from({ length: 40 }, (_, i) => `route${i}`);

    // Act
    const { Resources } = buildStack(readServiceConfig(serviceConfig({ routes })));

    // Assess
    const alarms = alarmsOf(Resources);
    // 5 on the wrapper's metrics and the API, 2 per function, 12 burn-rate windows
    expect(alarms.length).toBe(5 + 2 * 41 + 12);
    for (const [, alarm] of alarms) {
      const metrics = (alarm.Properties.Metrics ?? []) as unknown[];
      expect(metrics.length).toBeLessThanOrEqual(10);
    }
  });

  it("refuses a service whose composite rule would exceed CloudWatch's 10240 characters", () => {
    // Prepare
    const routes = Array.from({ length: 60 }, (_, i) => `aFunctionWithAQuiteLongName${i}`);

    // Act and assess
    expect(() => buildStack(readServiceConfig(serviceConfig({ routes })))).toThrow(
      /composite rule of \d+ characters, over CloudWatch's 10240/,
    );
  });
});

describe("one page for an outage", () => {
  it("notifies only through the composite alarm, which is ALARM when any alarm is", () => {
    // Act
    const { Resources } = buildStack(readServiceConfig(serviceConfig()));

    // Assess
    const page = Resources.PageAlarm;
    expect(page?.Type).toBe("AWS::CloudWatch::CompositeAlarm");
    const rule = (propertiesOf(Resources, "PageAlarm").AlarmRule as { "Fn::Sub": string })[
      "Fn::Sub"
    ];
    // every fixed-threshold alarm, and the burn-rate pairs that page (not their windows)
    const children = [
      ...alarmsOf(Resources)
        .map(([id]) => id)
        .filter((id) => !/(Long|Short)Alarm$/.test(id)),
      "AvailabilityFastBurnAlarm",
      "AvailabilitySlowBurnAlarm",
      "LatencyFastBurnAlarm",
      "LatencySlowBurnAlarm",
    ];
    expect(rule).toBe(children.map((id) => `ALARM("\${${id}.Arn}")`).join(" OR "));
    expect(page?.Properties.AlarmActions).toBeDefined();
    const notifying = Object.entries(Resources)
      .filter(([, r]) => r.Properties.AlarmActions !== undefined)
      .map(([id]) => id);
    expect(notifying.sort()).toEqual(["PageAlarm", "TicketAlarm"]);
    for (const [, alarm] of alarmsOf(Resources)) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
      expect(alarm.Properties.OKActions).toBeUndefined();
    }
  });
});

describe("the health function's list of sibling functions", () => {
  it("refuses a list that misses a function, and says what to write", () => {
    // Prepare
    const config = serviceConfig({ siblings: "shop-prod-getOrder,shop-prod-createOrder" });

    // Act and assess
    expect(() => readServiceConfig(config)).toThrow(
      'functions.health.environment.HEALTH_SIBLING_FUNCTIONS misses shop-prod-getInvoice: set it to "shop-prod-getOrder,shop-prod-createOrder,shop-prod-getInvoice"',
    );
  });

  it("refuses a list that names a function the service does not have", () => {
    // Prepare
    const config = serviceConfig({
      siblings: "shop-prod-getOrder,shop-prod-createOrder,shop-prod-getInvoice,shop-prod-gone",
    });

    // Act and assess
    expect(() => readServiceConfig(config)).toThrow(
      /names no function of this service: shop-prod-gone/,
    );
  });

  it("accepts the exact list in any order, with spaces", () => {
    // Prepare
    const config = serviceConfig({
      siblings: " shop-prod-getInvoice, shop-prod-getOrder ,shop-prod-createOrder",
    });

    // Act
    const input = readServiceConfig(config);

    // Assess: every function read, and the service's own list left as it wrote it
    expect(input.functions.map((fn) => fn.name).sort()).toEqual([
      "shop-prod-createOrder",
      "shop-prod-getInvoice",
      "shop-prod-getOrder",
      "shop-prod-health",
    ]);
    const environment = functionEnvironment(
      (config.provider ?? {}) as Record<string, unknown>,
      (config.functions ?? {}) as Record<string, unknown>,
      input,
    );
    expect(environment.health).toBeDefined();
    expect(environment.health).not.toHaveProperty(SIBLINGS_VARIABLE);
  });
});

describe("the dashboard findings", () => {
  it("quotes the namespace in the health SEARCH, as the search-expression syntax requires", () => {
    // Prepare
    const config = { ...serviceConfig(), stage: "pr-42" };
    const vitals = config.vitals as { namespace: string };
    const input = readServiceConfig({
      ...config,
      vitals: { ...vitals, namespace: "LambdaVitals/pr-42" },
      functions: serviceConfig({
        siblings: "shop-pr-42-getOrder,shop-pr-42-createOrder,shop-pr-42-getInvoice",
      }).functions,
    });

    // Act
    const text = dashboardText(buildStack(input).Resources);

    // Assess
    expect(text).toContain(
      String.raw`SEARCH('{\"LambdaVitals/pr-42\",Service,Check} MetricName=\"HealthCheck\" Service=\"shop\"', 'Minimum', 60)`,
    );
  });

  it("refuses a namespace with a quote, which no SEARCH can hold", () => {
    // Prepare
    const config = serviceConfig();
    const input = readServiceConfig({
      ...config,
      vitals: { ...(config.vitals as object), namespace: "Shop'prod" },
    });

    // Act and assess
    expect(() => buildStack(input)).toThrow(/"Shop'prod" has a quote or backslash/);
  });

  it("titles the health chart with what 0 means for the overall result and for a check", () => {
    // Act
    const text = dashboardText(buildStack(readServiceConfig(serviceConfig())).Resources);

    // Assess
    expect(text).toContain("overall: 0 = fail; each check: 0 = warn or fail");
    expect(text).not.toContain("0 = fail, from");
  });

  it("draws error rates with the alarm's minimum-requests guard", () => {
    // Act
    const text = dashboardText(buildStack(readServiceConfig(serviceConfig())).Resources);

    // Assess
    expect(text).toContain("IF(req >= 10, 100 * err / req, 0)");
    expect(text).toContain("IF(req >= 10, 100 * cli / req, 0)");
    expect(text).not.toMatch(/"expression":"100 \* err \/ req"/);
  });
});
