/**
 * `planStack`, the one pure step from a resolved configuration to what the plugin adds: every
 * function's environment and role, the resources, the warnings; the alarm e-mail and thresholds
 * from `--param` in a service whose serverless.yml maps neither.
 */
import { describe, expect, it } from "vitest";
import { planStack } from "../../infra/plan";
import type { ServiceConfig } from "../../infra/service";
import { DEFAULT_THRESHOLDS } from "../../infra/thresholds";

/** An adopted service: one catch-all function and one routed one, no custom.vitals at all. */
function adopted(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    service: "files",
    stage: "dev",
    region: "eu-west-1",
    provider: {},
    functions: {
      files: { events: [{ httpApi: "*" }] },
      stat: { events: [{ httpApi: "GET /stat" }] },
    },
    vitals: undefined,
    ...overrides,
  };
}

function subscription(config: ServiceConfig): unknown {
  return planStack(config).resources.Resources.AlarmEmailSubscription?.Properties.Endpoint;
}

describe("planStack", () => {
  it("gives every function its role and environment, and leaves the configuration as it was", () => {
    // Prepare
    const config = adopted();
    const before = JSON.stringify(config);

    // Act
    const plan = planStack(config);

    // Assess
    expect(plan.functions).toEqual({
      files: {
        environment: { VITALS_NAMESPACE: "LambdaVitals/dev", VITALS_SERVICE: "files" },
        role: "FilesRole",
      },
      stat: {
        environment: { VITALS_NAMESPACE: "LambdaVitals/dev", VITALS_SERVICE: "files" },
        role: "StatRole",
      },
    });
    expect(plan.resources.Resources.FilesRole?.Type).toBe("AWS::IAM::Role");
    expect(plan.resources.Resources.VitalsDashboard?.Type).toBe("AWS::CloudWatch::Dashboard");
    expect(plan.warnings).toEqual([]);
    expect(JSON.stringify(config)).toBe(before);
  });

  it("gives no role with custom.vitals.roles: false", () => {
    const plan = planStack(adopted({ vitals: { roles: false } }));

    expect(plan.functions.files?.role).toBeUndefined();
    expect(plan.resources.Resources.FilesRole).toBeUndefined();
  });

  it("hands custom.vitals.routes.<function> to that function in VITALS_ROUTES, once", () => {
    // Prepare
    const templates = ["GET /files/{path+}", "/stat/{id}"];

    // Act
    const plan = planStack(adopted({ vitals: { routes: { files: templates } } }));

    // Assess
    expect(JSON.parse(plan.functions.files?.environment.VITALS_ROUTES ?? "")).toEqual(templates);
    expect(plan.functions.stat?.environment).not.toHaveProperty("VITALS_ROUTES");
  });

  it("keeps a VITALS_ROUTES the function sets itself", () => {
    const config = adopted({
      functions: {
        files: { environment: { VITALS_ROUTES: '["/x"]' }, events: [{ httpApi: "*" }] },
      },
      vitals: { routes: { files: ["/files/{path+}"] } },
    });

    expect(planStack(config).functions.files?.environment).not.toHaveProperty("VITALS_ROUTES");
  });

  it("subscribes --param alarmEmail in a service whose serverless.yml does not map it", () => {
    // Act
    const plan = planStack(adopted({ options: { param: ["alarmEmail=oncall@example.com"] } }));

    // Assess
    expect(plan.resources.Resources.AlarmEmailSubscription?.Properties.Endpoint).toBe(
      "oncall@example.com",
    );
    expect(plan.resources.Conditions.HasAlarmEmail).toEqual({
      "Fn::Not": [{ "Fn::Equals": ["oncall@example.com", ""] }],
    });
  });

  it("takes the e-mail from custom.vitals.alarms.email, and --param over it with a warning", () => {
    // Prepare
    const setting = { alarms: { email: "team@example.com" } };

    // Act
    const fromSetting = adopted({ vitals: setting });
    const overridden = adopted({
      vitals: setting,
      options: { param: "alarmEmail=me@example.com" },
    });
    const same = adopted({ vitals: setting, options: { param: ["alarmEmail=team@example.com"] } });

    // Assess
    expect(subscription(fromSetting)).toBe("team@example.com");
    expect(subscription(overridden)).toBe("me@example.com");
    expect(planStack(overridden).warnings).toEqual([
      "--param alarmEmail=me@example.com replaces custom.vitals.alarms.email (team@example.com)",
    ]);
    expect(planStack(same).warnings).toEqual([]);
    expect(planStack(adopted()).resources.Conditions.HasAlarmEmail).toEqual({
      "Fn::Not": [{ "Fn::Equals": ["", ""] }],
    });
  });

  it("reads a threshold from --param, else custom.vitals.alarms, else the table's default", () => {
    // Prepare
    const latency = (config: ServiceConfig) =>
      planStack(config).resources.Resources.LatencyP99Alarm?.Properties.Threshold;

    // Act and assess
    expect(latency(adopted())).toBe(DEFAULT_THRESHOLDS.latencyP99Ms);
    expect(latency(adopted({ vitals: { alarms: { latencyP99Ms: 800 } } }))).toBe(800);
    expect(
      latency(
        adopted({
          vitals: { alarms: { latencyP99Ms: 800 } },
          options: { param: ["latencyP99Ms=500", "unrelated=x"] },
        }),
      ),
    ).toBe(500);
  });

  it.each([
    [{ options: { param: ["alarmEmail"] } }, "--param alarmEmail: expected --param name=value"],
    [{ options: { param: ["=x"] } }, "--param =x: expected --param name=value"],
    [
      { options: { param: ["latencyP99Ms=fast"] } },
      "custom.vitals.alarms.latencyP99Ms must be a number > 0, got fast",
    ],
    [
      { vitals: { alarms: { latencyP99: 800 } } },
      "custom.vitals.alarms.latencyP99 is not a setting; known: errorRatePercent,",
    ],
    [
      { vitals: { alarms: { email: 42 } } },
      "custom.vitals.alarms.email must be an e-mail address, got 42",
    ],
  ] as const)("refuses %j, saying what to fix", (overrides, message) => {
    expect(() => planStack(adopted(overrides as Partial<ServiceConfig>))).toThrow(message);
  });
});
