/**
 * Adopting lambda-vitals in an existing service: what its serverless.yml already says is kept.
 * The shared role's grants are carried into every function's own role, what cannot be carried is
 * refused with the move to make, and the functions get the namespace and service the dashboard
 * reads unless the service sets them itself.
 */
import { describe, expect, it } from "vitest";
import { planStack } from "../../infra/plan";
import { readServiceConfig, type ServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { specProblems } from "./spec";

const DYNAMO_READ = {
  Effect: "Allow",
  Action: ["dynamodb:GetItem", "dynamodb:Query"],
  Resource: "arn:aws:dynamodb:us-east-1:123456789012:table/todos",
};
const NO_DELETE = {
  Effect: "Deny",
  Action: ["dynamodb:DeleteTable"],
  Resource: "*",
};

/** A service as it was before adoption: REST events, IAM on the provider, no custom.vitals. */
function existingService(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    service: "todos",
    stage: "dev",
    region: "us-east-1",
    provider: { iam: { role: { statements: [DYNAMO_READ, NO_DELETE] } } },
    functions: {
      list: { events: [{ http: { method: "get", path: "todos" } }] },
      get: { events: [{ http: "GET todos/{id}" }] },
    },
    vitals: undefined,
    ...overrides,
  };
}

function rolePolicies(config: ServiceConfig, roleId: string): unknown {
  const role = buildStack(readServiceConfig(config)).Resources[roleId];
  return role?.Properties;
}

describe("adopting lambda-vitals in a service with its own IAM", () => {
  it("needs no custom.vitals: stage namespace, the service name and default thresholds", () => {
    // Act
    const input = readServiceConfig(existingService());

    // Assess
    expect(input.namespace).toBe("LambdaVitals/dev");
    expect(input.service).toBe("todos");
    expect(input.thresholds).toEqual({
      errorRatePercent: 5,
      errorRateMinRequests: 5,
      latencyP99Ms: 2000,
      timeouts: 1,
      invocationErrors: 1,
      throttles: 1,
    });
    expect(input.functions.map((fn) => fn.routes)).toEqual([["GET /todos"], ["GET /todos/{id}"]]);
  });

  it("draws one row for a route two functions write, as two functions behind one ALB do", () => {
    // Prepare
    const alb = { alb: { priority: 1, conditions: { path: "/a/*", method: "GET" } } };
    const config = existingService({
      functions: { a: { events: [alb] }, b: { events: [alb, { http: "POST todos" }] } },
    });

    // Act
    const input = readServiceConfig(config);

    // Assess
    expect(input.functions.map((fn) => fn.routes)).toEqual([["GET /*"], ["POST /todos"]]);
  });

  it("carries provider.iam.role.statements, Deny included, into every function's role", () => {
    // Act
    const roles = ["ListRole", "GetRole"].map((id) => rolePolicies(existingService(), id));

    // Assess
    for (const role of roles) {
      expect(role).toMatchObject({
        Policies: expect.arrayContaining([
          expect.objectContaining({
            PolicyDocument: expect.objectContaining({ Statement: [DYNAMO_READ, NO_DELETE] }),
          }),
        ]),
      });
    }
  });

  it("carries the older provider.iamRoleStatements, managed policies and the boundary", () => {
    // Prepare
    const boundary = "arn:aws:iam::123456789012:policy/boundary";
    const config = existingService({
      provider: {
        iamRoleStatements: [DYNAMO_READ],
        iamManagedPolicies: ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"],
        iam: {
          role: {
            managedPolicies: ["arn:aws:iam::123456789012:policy/reports"],
            permissionsBoundary: boundary,
          },
        },
      },
    });

    // Act
    const role = rolePolicies(config, "ListRole");
    const { Resources } = buildStack(readServiceConfig(config));

    // Assess
    expect(role).toMatchObject({
      ManagedPolicyArns: [
        "arn:aws:iam::123456789012:policy/reports",
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
      ],
      PermissionsBoundary: boundary,
    });
    expect(JSON.stringify(role)).toContain("dynamodb:GetItem");
    expect(Object.entries(Resources).flatMap(([id, r]) => specProblems(id, r))).toEqual([]);
  });

  it("refuses a role given by ARN, on the provider or on a function, saying where to move it", () => {
    // Prepare
    const arn = "arn:aws:iam::123456789012:role/todos";
    const onProvider = existingService({ provider: { iam: { role: arn } } });
    const onFunction = existingService({
      functions: { list: { role: arn, events: [{ http: "GET todos" }] } },
    });

    // Act and assess
    expect(() => readServiceConfig(onProvider)).toThrow(
      /provider.iam.role: the role given by ARN \(arn:aws:iam::123456789012:role\/todos\).*list its statements under provider.iam.role.statements .* or custom.vitals.permissions.<function>.*custom.vitals.roles: false/,
    );
    expect(() => readServiceConfig(onFunction)).toThrow(
      /functions.list.role: the role given by ARN .* Remove "role" and list what that role allows under custom.vitals.permissions.list/,
    );
    expect(() => readServiceConfig(existingService({ provider: { role: "LegacyRole" } }))).toThrow(
      /provider.role: the role "LegacyRole"/,
    );
    expect(() =>
      readServiceConfig(existingService({ provider: { iam: { role: { name: "todos-role" } } } })),
    ).toThrow(/remove provider.iam.role.name/);
  });

  it("refuses a Deny in custom.vitals.permissions, and says where a service-wide Deny goes", () => {
    // Prepare
    const config = existingService({
      vitals: { permissions: { list: [{ ...NO_DELETE }] } },
    });

    // Act and assess
    expect(() => readServiceConfig(config)).toThrow(
      /custom.vitals.permissions.list\[0\]: only Effect "Allow" is supported here.*provider.iam.role.statements/,
    );
  });

  it("keeps the service's own roles untouched with custom.vitals.roles: false", () => {
    // Prepare
    const config = existingService({
      provider: { iam: { role: "arn:aws:iam::123456789012:role/todos" } },
      vitals: { roles: false },
    });

    // Act
    const { Resources } = buildStack(readServiceConfig(config));

    // Assess
    expect(Object.values(Resources).map((r) => r.Type)).not.toContain("AWS::IAM::Role");
    expect(Resources.VitalsDashboard).toBeDefined();
  });

  it("refuses a queue event until its role may read the queue, as the shared role could", () => {
    // Prepare
    const worker = { events: [{ sqs: { arn: "arn:aws:sqs:us-east-1:123456789012:jobs" } }] };
    const without = existingService({ functions: { worker } });
    const withGrant = existingService({
      functions: { worker },
      vitals: {
        permissions: {
          worker: [
            {
              Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
              Resource: "arn:aws:sqs:us-east-1:123456789012:jobs",
            },
          ],
        },
      },
    });

    // Act and assess
    expect(() => readServiceConfig(without)).toThrow(
      /functions.worker: its sqs event needs sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes.*custom.vitals.permissions.worker/,
    );
    expect(readServiceConfig(withGrant).functions[0]?.routes).toEqual([]);
  });

  it("refuses what it cannot check, pointing at custom.vitals.roles: false", () => {
    // Prepare
    const stream = {
      events: [{ msk: { arn: "arn:aws:kafka:us-east-1:1:cluster/c/1", topic: "t" } }],
    };
    const scheduler = { events: [{ schedule: { rate: ["rate(1 hour)"], method: "scheduler" } }] };

    // Act and assess
    expect(() => readServiceConfig(existingService({ functions: { stream } }))).toThrow(
      /functions.stream: msk events need permissions .* set custom.vitals.roles: false/,
    );
    expect(() => readServiceConfig(existingService({ functions: { scheduler } }))).toThrow(
      /functions.scheduler: a schedule with method: scheduler runs as Serverless' shared role/,
    );
    expect(() =>
      readServiceConfig(
        existingService({ provider: { kmsKeyArn: "arn:aws:kms:us-east-1:1:key/k" } }),
      ),
    ).toThrow(/functions.list: its kmsKeyArn needs kms:Decrypt/);
  });

  it("counts a VPC as covered by the managed policy AWS offers for it", () => {
    // Prepare
    const vpc = { securityGroupIds: ["sg-1"], subnetIds: ["subnet-1"] };
    const policy = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

    // Act and assess
    expect(() => readServiceConfig(existingService({ provider: { vpc } }))).toThrow(
      /functions.list: its VPC configuration needs ec2:CreateNetworkInterface/,
    );
    expect(() =>
      readServiceConfig(
        existingService({ provider: { vpc, iam: { role: { managedPolicies: [policy] } } } }),
      ),
    ).not.toThrow();
  });
});

/** The environment the plan adds to each function. */
function plannedEnvironment(
  config: ServiceConfig,
): Record<string, Readonly<Record<string, string>>> {
  return Object.fromEntries(
    Object.entries(planStack(config).functions).map(([key, fn]) => [key, fn.environment]),
  );
}

describe("the environment planStack adds", () => {
  it("sets VITALS_NAMESPACE and VITALS_SERVICE where the service does not", () => {
    // Prepare
    const config = existingService({
      functions: {
        list: { events: [] },
        get: { environment: { VITALS_SERVICE: "todos" }, events: [] },
      },
    });

    // Act
    const environment = plannedEnvironment(config);

    // Assess
    expect(environment).toEqual({
      list: { VITALS_NAMESPACE: "LambdaVitals/dev", VITALS_SERVICE: "todos" },
      get: { VITALS_NAMESPACE: "LambdaVitals/dev" },
    });
  });

  it("names every other function's deployed name in the health function's sibling list", () => {
    // Prepare: one function with a name of its own
    const config = existingService({
      functions: {
        list: { events: [] },
        get: { name: "todos-get-item", events: [] },
        health: { events: [{ http: "GET health" }] },
      },
    });

    // Act
    const environment = plannedEnvironment(config);

    // Assess: only the health function gets it
    expect(environment.health?.HEALTH_SIBLING_FUNCTIONS).toBe("todos-dev-list,todos-get-item");
    expect(environment.list).not.toHaveProperty("HEALTH_SIBLING_FUNCTIONS");
    expect(environment.get).not.toHaveProperty("HEALTH_SIBLING_FUNCTIONS");
  });

  it("keeps a sibling list the service writes itself, once it is exact", () => {
    // Prepare
    const health = (list: string) => ({
      environment: { HEALTH_SIBLING_FUNCTIONS: list },
      events: [{ http: "GET health" }],
    });
    const exact = existingService({
      functions: {
        list: { events: [] },
        get: { events: [] },
        health: health("todos-dev-get, todos-dev-list"),
      },
    });
    const stale = existingService({
      functions: { list: { events: [] }, get: { events: [] }, health: health("todos-dev-list") },
    });

    // Act
    const environment = plannedEnvironment(exact);

    // Assess
    expect(environment.health).toEqual({
      VITALS_NAMESPACE: "LambdaVitals/dev",
      VITALS_SERVICE: "todos",
      // the burn-rate pairs that page, which the health function's budget check asks about
      HEALTH_BUDGET_ALARMS: ["availability", "latency"]
        .flatMap((o) => [`todos-dev-slo-${o}-fast-burn`, `todos-dev-slo-${o}-slow-burn`])
        .join(","),
    });
    expect(() => readServiceConfig(stale)).toThrow(
      'functions.health.environment.HEALTH_SIBLING_FUNCTIONS misses todos-dev-get: set it to "todos-dev-list,todos-dev-get"',
    );
  });

  it("leaves variables the provider sets, and the dashboard reads what they say", () => {
    // Prepare
    const config = existingService({
      provider: { environment: { VITALS_NAMESPACE: "Todos/dev", VITALS_SERVICE: "todo-api" } },
    });

    // Act
    const input = readServiceConfig(config);

    // Assess
    expect(plannedEnvironment(config)).toEqual({ list: {}, get: {} });
    expect([input.namespace, input.service]).toEqual(["Todos/dev", "todo-api"]);
  });

  it("refuses an environment that contradicts custom.vitals.namespace", () => {
    // Prepare
    const config = existingService({
      provider: { environment: { VITALS_NAMESPACE: "Todos/dev" } },
      vitals: { namespace: "Other/dev" },
    });

    // Act and assess
    expect(() => readServiceConfig(config)).toThrow(
      /custom.vitals.namespace is "Other\/dev", but the functions' environment sets VITALS_NAMESPACE to "Todos\/dev"/,
    );
  });

  it("refuses functions that would write to different namespaces", () => {
    // Prepare
    const config = existingService({
      functions: {
        list: { environment: { VITALS_NAMESPACE: "A" }, events: [] },
        get: { events: [] },
      },
    });

    // Act and assess
    expect(() => readServiceConfig(config)).toThrow(
      /VITALS_NAMESPACE: the functions would write "A" \(functions.list.environment\), "LambdaVitals\/dev" \(provider.environment\)/,
    );
  });
});
