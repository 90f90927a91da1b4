/**
 * The packaged CloudFormation template, as `serverless package` writes it offline: valid against
 * the AWS resource database, watching exactly the metrics the code emits, least privilege,
 * retention, runtime, the health schedule, and stage and region carried into names; the same
 * under Serverless v3 and v4.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_NAMESPACE, DIMENSIONS } from "../../functions/vitals/contract";
import { emittedMetrics } from "../../infra/emitted";
import { metricsTheHandlersWrite, type WrittenMetrics } from "../fixtures/handler-lines";
import { PROJECT_ROOT } from "../fixtures/project-copy";
import { type Packaged, packageService, type Template } from "./package";
import { metricReferences, staleReferences } from "./references";
import { specProblems } from "./spec";

/** Actions without resource-level permissions, where `Resource: "*"` is the only option. */
/**
 * GetMetricData has no resource-level permissions; DescribeAlarms returns composite alarms only
 * to a permission "scoped to *" (its API reference), and the health function asks it for the
 * burn-rate pairs, which are composite alarms.
 */
const RESOURCE_WILDCARD_OK = new Set(["cloudwatch:GetMetricData", "cloudwatch:DescribeAlarms"]);

let test: Packaged;
let prod: Packaged;
let v3: Packaged;
let written: WrittenMetrics;

beforeAll(async () => {
  [test, prod] = await Promise.all([
    packageService(["--stage", "test", "--region", "eu-west-1", "--verbose"]),
    packageService([
      "--stage",
      "prod",
      "--region",
      "us-east-2",
      "--param",
      "alarmEmail=oncall@example.com",
    ]),
  ]);
  // After the others, so that no more than two CLIs share the machine's two cores at once
  v3 = await packageService(["--stage", "test", "--region", "eu-west-1"], { serverless: 3 });
  written = await metricsTheHandlersWrite(healthEnvironment(test.template));
});

/** The health function's environment in the template: the superset the handlers read. */
function healthEnvironment(template: Template): Record<string, string> {
  const health = ofType(template, "AWS::Lambda::Function").find(([, fn]) =>
    String(fn.Properties?.FunctionName).endsWith("-health"),
  );
  const variables =
    (health?.[1].Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {};
  return Object.fromEntries(
    Object.entries(variables).filter((entry): entry is [string, string] => {
      return typeof entry[1] === "string";
    }),
  );
}

function ofType(template: Template, type: string) {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function props(template: Template, id: string): Record<string, unknown> {
  const resource = template.Resources[id];
  if (resource === undefined) throw new Error(`no resource ${id}`);
  return resource.Properties ?? {};
}

function fnProperties(fn: Template["Resources"][string]): Record<string, unknown> {
  if (fn.Properties === undefined) throw new Error(`${fn.Type} without properties`);
  return fn.Properties;
}

function roleIdOf(fn: Template["Resources"][string]): string {
  const role = fnProperties(fn).Role as { "Fn::GetAtt": [string, string] };
  return role["Fn::GetAtt"][0];
}

function functionNames(template: Template): string[] {
  return ofType(template, "AWS::Lambda::Function").map(([, fn]) =>
    String(fn.Properties?.FunctionName),
  );
}

function routesOf(template: Template): string[] {
  return ofType(template, "AWS::ApiGatewayV2::Route").map(([, r]) =>
    String(r.Properties?.RouteKey),
  );
}

describe("the packaged template", () => {
  it("is built offline, by the plugin's hooks, once per package", () => {
    // Prepare: the plugin reports when its part is done (how long it took is no test's to judge)
    const reported = test.output.match(
      /lambda-vitals: roles, environment and stack ready in \d+ ms/g,
    );

    // Assess: no credentials in the environment, and the plugin ran, once
    expect(reported).toHaveLength(1);
    expect(Object.keys(test.template.Resources).length).toBeGreaterThan(0);
  });

  it("holds only resource types and properties the AWS resource database knows", () => {
    // Act
    const problems = [test.template, prod.template].flatMap((template) =>
      Object.entries(template.Resources).flatMap(([id, resource]) => specProblems(id, resource)),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it("has a dashboard and alarms that reference only metrics the real handlers write", () => {
    // Prepare: what the handlers' own lines carry, not the catalogue the generators use
    const { template } = test;
    const namespace = `${DEFAULT_NAMESPACE}/test`;
    expect(written.namespaces).toEqual([namespace]);
    expect(written.services).toEqual(["lambda-vitals"]);

    // Act
    const references = metricReferences(template.Resources);
    const stale = staleReferences(references, {
      namespace,
      service: "lambda-vitals",
      routes: routesOf(template),
      metrics: written.metrics,
      functionNames: functionNames(template),
    });

    // Assess
    expect(references.length).toBeGreaterThan(50);
    expect(stale).toEqual([]);
    expect(written.metrics.map((m) => m.name)).not.toContain("Broken");
  });

  it("charts every metric of the contract, as the handlers write it, for every route", () => {
    // Prepare
    const references = metricReferences(test.template.Resources).filter((r) =>
      r.where.startsWith("VitalsDashboard"),
    );
    const routes = routesOf(test.template);
    const writtenNames = written.metrics.map((m) => m.name);

    // Assess: every contract metric is in the handlers' lines and on the dashboard
    expect(routes.length).toBeGreaterThanOrEqual(3);
    for (const metric of emittedMetrics()) {
      expect(writtenNames).toContain(metric.name);
      expect(references.map((r) => r.name)).toContain(metric.name);
    }
    for (const route of routes) {
      expect(written.routes).toContain(route);
    }
    const requestMetrics = written.metrics.filter((m) =>
      m.dimensionSets.some((set) => set.includes(DIMENSIONS.route)),
    );
    expect(requestMetrics.length).toBeGreaterThanOrEqual(6);
    for (const route of routes) {
      for (const metric of requestMetrics) {
        const found = references.some(
          (r) => r.name === metric.name && r.dimensions[DIMENSIONS.route] === route,
        );
        expect(found, `${metric.name} for ${route}`).toBe(true);
      }
    }
  });

  it("charts Lambda throttles, concurrency and duration for every function", () => {
    // Prepare
    const lambda = metricReferences(test.template.Resources).filter(
      (r) => r.namespace === "AWS/Lambda",
    );

    // Assess
    for (const name of functionNames(test.template)) {
      for (const metric of ["Throttles", "ConcurrentExecutions", "Duration"]) {
        expect(lambda.some((r) => r.name === metric && r.dimensions.FunctionName === name)).toBe(
          true,
        );
      }
    }
  });

  it("alarms on the wrapper's metrics and on AWS's own counts, M out of N, missing data chosen", () => {
    // Prepare
    const alarms = Object.fromEntries(ofType(test.template, "AWS::CloudWatch::Alarm"));
    const perFunction = ["CreateOrder", "GetInvoice", "GetOrder", "Health"].flatMap((fn) => [
      `${fn}ErrorsAlarm`,
      `${fn}ThrottlesAlarm`,
    ]);

    // Assess
    // the burn-rate windows: 2 objectives × 3 pairs × a long and a short window
    const windows = ["Availability", "Latency"].flatMap((objective) =>
      ["FastBurn", "SlowBurn", "Ticket"].flatMap((pair) =>
        ["Long", "Short"].map((length) => `${objective}${pair}${length}Alarm`),
      ),
    );
    expect(Object.keys(alarms).sort()).toEqual(
      [
        "ErrorRateAlarm",
        "HealthAlarm",
        "HttpApi5xxAlarm",
        "LatencyP99Alarm",
        "TimeoutsAlarm",
        ...perFunction,
        ...windows,
      ].sort(),
    );
    for (const [id, alarm] of Object.entries(alarms)) {
      const p = alarm.Properties ?? {};
      expect(Number(p.DatapointsToAlarm)).toBeLessThanOrEqual(Number(p.EvaluationPeriods));
      // M out of N, except a burn-rate window: one datapoint over the whole window
      if (!windows.includes(id)) expect(Number(p.EvaluationPeriods)).toBeGreaterThan(1);
      expect(["breaching", "notBreaching"]).toContain(p.TreatMissingData);
      // Children change state only: the composite alarm is the one that notifies
      expect(p.AlarmActions).toBeUndefined();
      // CloudWatch takes at most 10 metrics in a metric-math alarm
      const stats = ((p.Metrics ?? []) as { MetricStat?: unknown }[]).filter((q) => q.MetricStat);
      expect(stats.length).toBeLessThanOrEqual(10);
    }
    expect(alarms.HealthAlarm?.Properties?.TreatMissingData).toBe("breaching");
    expect(alarms.TimeoutsAlarm?.Properties?.TreatMissingData).toBe("notBreaching");
    expect(alarms.LatencyP99Alarm?.Properties?.ExtendedStatistic).toBe("p99");
    expect(alarms.LatencyP99Alarm?.Properties?.EvaluateLowSampleCountPercentile).toBe("evaluate");
    const math = alarms.ErrorRateAlarm?.Properties?.Metrics as { Expression?: string }[];
    expect(math.some((q) => q.Expression?.includes("100 * errors / requests"))).toBe(true);
    // The HTTP API that Serverless made, by its ApiId
    const api = alarms.HttpApi5xxAlarm?.Properties?.Metrics as {
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown } };
    }[];
    expect(api.flatMap((q) => (q.MetricStat ? [q.MetricStat.Metric] : []))).toEqual([
      {
        Namespace: "AWS/ApiGateway",
        MetricName: "Count",
        Dimensions: [{ Name: "ApiId", Value: { Ref: "HttpApi" } }],
      },
      {
        Namespace: "AWS/ApiGateway",
        MetricName: "5xx",
        Dimensions: [{ Name: "ApiId", Value: { Ref: "HttpApi" } }],
      },
    ]);
    expect(test.template.Resources.HttpApi?.Type).toBe("AWS::ApiGatewayV2::Api");
  });

  it("says with --verbose how many alarms and roles it adds, as docs/deploy.md quotes it", async () => {
    // Prepare
    const count = (...types: string[]) =>
      Object.values(test.template.Resources).filter((r) => types.includes(r.Type)).length;
    const alarms = count("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm");
    const deploy = await readFile(join(PROJECT_ROOT, "docs/deploy.md"), "utf8");

    // Assess
    expect(alarms).toBeGreaterThan(4);
    expect(test.output).toContain(
      `lambda-vitals: ${alarms} alarms (${count("AWS::CloudWatch::CompositeAlarm")} of them ` +
        `composite; PageAlarm and TicketAlarm notify), ${count("AWS::IAM::Role")} roles, 1 dashboard`,
    );
    // the page quotes the line's form, and writes no count of its own
    expect(deploy).toContain(
      "`lambda-vitals: <n> alarms (<n> of them composite; PageAlarm and TicketAlarm notify),",
    );
  });

  it("pages once, through a composite alarm over every fixed-threshold alarm and the burn-rate pairs that page", () => {
    // Prepare
    const alarmIds = ofType(prod.template, "AWS::CloudWatch::Alarm").map(([id]) => id);
    const page = props(prod.template, "PageAlarm");

    // Assess
    expect(prod.template.Resources.PageAlarm?.Type).toBe("AWS::CloudWatch::CompositeAlarm");
    const rule = (page.AlarmRule as { "Fn::Sub": string })["Fn::Sub"];
    // every fixed-threshold alarm, and the burn-rate pairs that page (their windows only through them)
    const children = [
      ...alarmIds.filter((id) => !/(Long|Short)Alarm$/.test(id)),
      ...["Availability", "Latency"].flatMap((o) => [`${o}FastBurnAlarm`, `${o}SlowBurnAlarm`]),
    ];
    expect(rule.split(" OR ").sort()).toEqual(
      children.map((id) => `ALARM("\${${id}.Arn}")`).sort(),
    );
    expect(page.AlarmActions).toEqual({
      "Fn::If": ["HasAlarmEmail", [{ Ref: "AlarmTopic" }], { Ref: "AWS::NoValue" }],
    });
    expect(page.OKActions).toEqual(page.AlarmActions);
  });

  it("gives /health the alarms' thresholds and, from the plugin, the other functions' names", () => {
    for (const packaged of [test, prod, v3]) {
      // Prepare
      const functions = ofType(packaged.template, "AWS::Lambda::Function");
      const health = functions.find(([id]) => id === "HealthLambdaFunction")?.[1];
      const env = (
        fnProperties(health ?? { Type: "" }).Environment as {
          Variables: Record<string, string>;
        }
      ).Variables;
      const threshold = (id: string) => String(props(packaged.template, id).Threshold);

      // Assess: one source per stage
      expect(env.HEALTH_ERROR_RATE_FAIL_PERCENT).toBe(threshold("ErrorRateAlarm"));
      expect(env.HEALTH_P99_FAIL_MS).toBe(threshold("LatencyP99Alarm"));
      const guard = (
        props(packaged.template, "ErrorRateAlarm").Metrics as { Expression?: string }[]
      )
        .map((q) => q.Expression)
        .join("");
      expect(guard).toContain(`requests >= ${env.HEALTH_ERROR_RATE_MIN_REQUESTS},`);
      expect(Number(env.HEALTH_ERROR_RATE_WARN_PERCENT)).toBeLessThan(
        Number(env.HEALTH_ERROR_RATE_FAIL_PERCENT),
      );
      expect(Number(env.HEALTH_P99_WARN_MS)).toBeLessThan(Number(env.HEALTH_P99_FAIL_MS));
      // Assess: every other function, and only those
      const others = functionNames(packaged.template).filter((name) => !name.endsWith("-health"));
      expect(env.HEALTH_SIBLING_FUNCTIONS?.split(",").sort()).toEqual(others.sort());
    }
  });

  it("takes thresholds from the stage's params and subscribes the e-mail only when given", () => {
    // Prepare
    const threshold = (p: Packaged, id: string) => props(p.template, id).Threshold;

    // Assess: prod overrides the defaults
    expect(threshold(test, "ErrorRateAlarm")).toBe(5);
    expect(threshold(prod, "ErrorRateAlarm")).toBe(1);
    expect(threshold(test, "LatencyP99Alarm")).toBe(2000);
    expect(threshold(prod, "LatencyP99Alarm")).toBe(1000);
    // Assess: the topic exists under a condition that is false without an address
    expect(test.template.Conditions?.HasAlarmEmail).toEqual({
      "Fn::Not": [{ "Fn::Equals": ["", ""] }],
    });
    expect(prod.template.Conditions?.HasAlarmEmail).toEqual({
      "Fn::Not": [{ "Fn::Equals": ["oncall@example.com", ""] }],
    });
    expect(props(prod.template, "AlarmEmailSubscription")).toMatchObject({
      Protocol: "email",
      Endpoint: "oncall@example.com",
    });
  });

  it("gives each function its own role with exact actions, and no shared default role", () => {
    // Prepare
    const { template } = test;
    const functions = ofType(template, "AWS::Lambda::Function");

    // Assess: Serverless' shared role is gone, each function has a role of its own
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
    const roles = functions.map(([, fn]) => fn.Properties?.Role as { "Fn::GetAtt": string[] });
    expect(new Set(roles.map((r) => r["Fn::GetAtt"][0])).size).toBe(functions.length);

    // Assess: no wildcard action anywhere, `*` resources only where IAM offers nothing finer
    for (const [id, role] of ofType(template, "AWS::IAM::Role")) {
      const policies = (role.Properties?.Policies ?? []) as {
        PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] };
      }[];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        for (const action of statement.Action) expect(action, id).not.toContain("*");
        if (JSON.stringify(statement.Resource).includes('"*"')) {
          expect(
            statement.Action.every((a) => RESOURCE_WILDCARD_OK.has(a)),
            id,
          ).toBe(true);
        }
      }
    }
  });

  it("lets a function write only to its own log group, and reading metrics only to health", () => {
    // Prepare
    const { template } = test;

    // Act
    const grants = ofType(template, "AWS::Lambda::Function").map(([, fn]) => {
      const roleId = roleIdOf(fn);
      return {
        name: String(fn.Properties?.FunctionName),
        policies: props(template, roleId).Policies,
      };
    });

    // Assess
    for (const { name, policies } of grants) {
      const text = JSON.stringify(policies);
      const groups = [...text.matchAll(/log-group:([^:"]+)/g)].map((m) => m[1]);
      expect(new Set(groups), name).toEqual(new Set([`/aws/lambda/${name}`]));
      expect(text.includes("cloudwatch:GetMetricData"), name).toBe(name.endsWith("-health"));
    }
  });

  it("keeps every function's logs for a limited time", () => {
    // Prepare
    const groups = ofType(test.template, "AWS::Logs::LogGroup");
    const names = groups.map(([, g]) => g.Properties?.LogGroupName);

    // Assess
    for (const name of functionNames(test.template)) expect(names).toContain(`/aws/lambda/${name}`);
    for (const [id, group] of groups)
      expect(group.Properties?.RetentionInDays, id).toBeGreaterThan(0);
  });

  it("runs every function on nodejs24.x, on arm64", () => {
    for (const [id, fn] of ofType(test.template, "AWS::Lambda::Function")) {
      expect(fn.Properties?.Runtime, id).toBe("nodejs24.x");
      expect(fn.Properties?.Architectures, id).toEqual(["arm64"]);
    }
  });

  it("is the same under Serverless v3 as under v4: resources, roles, alarms and dashboard", () => {
    // Prepare: version resources carry a hash of the code in their id
    const stable = (p: Packaged) =>
      Object.fromEntries(
        Object.entries(p.template.Resources).filter(([, r]) => r.Type !== "AWS::Lambda::Version"),
      );
    const generated = (p: Packaged) =>
      Object.entries(p.template.Resources).filter(([, r]) =>
        ["AWS::IAM::Role", "AWS::CloudWatch::Alarm", "AWS::CloudWatch::Dashboard"].includes(r.Type),
      );

    // Assess
    expect(Object.keys(stable(v3)).sort()).toEqual(Object.keys(stable(test)).sort());
    expect(generated(v3)).toEqual(generated(test));
    expect(
      Object.entries(v3.template.Resources).flatMap(([id, resource]) => specProblems(id, resource)),
    ).toEqual([]);
  });

  it("throttles the HTTP API stage by default, from the stage's params, under v3 and v4", () => {
    for (const packaged of [test, v3]) {
      const stage = props(packaged.template, "HttpApiStage");
      expect(stage.DefaultRouteSettings).toMatchObject({
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      });
    }
  });

  it("invokes the health function every minute", () => {
    // Prepare
    const rules = ofType(test.template, "AWS::Events::Rule").map(([, rule]) => rule.Properties);

    // Assess
    const health = rules.find((rule) =>
      JSON.stringify(rule?.Targets).includes("HealthLambdaFunction"),
    );
    expect(health?.ScheduleExpression).toBe("rate(1 minute)");
    expect(health?.State).not.toBe("DISABLED");
  });

  it("follows --stage and --region into names, namespace and the dashboard address", () => {
    for (const [p, stage, region] of [
      [test, "test", "eu-west-1"],
      [prod, "prod", "us-east-2"],
    ] as const) {
      // Prepare
      const namespace = `${DEFAULT_NAMESPACE}/${stage}`;
      const dashboard = props(p.template, "VitalsDashboard");
      const envs = ofType(p.template, "AWS::Lambda::Function").map(
        ([, fn]) =>
          (fnProperties(fn).Environment as { Variables: Record<string, string> }).Variables,
      );

      // Assess
      expect(dashboard.DashboardName).toBe(`lambda-vitals-${stage}-${region}`);
      expect(props(p.template, "HealthAlarm").Namespace).toBe(namespace);
      expect(props(p.template, "HealthAlarm").AlarmName).toBe(`lambda-vitals-${stage}-health`);
      for (const env of envs) {
        expect(env.VITALS_NAMESPACE).toBe(namespace);
        expect(env.VITALS_SERVICE).toBe("lambda-vitals");
      }
      expect(functionNames(p.template).every((n) => n.startsWith(`lambda-vitals-${stage}-`))).toBe(
        true,
      );
      expect(p.template.Outputs?.DashboardUrl?.Value).toBe(
        `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/lambda-vitals-${stage}-${region}`,
      );
    }
  });
});
