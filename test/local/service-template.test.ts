import { describe, expect, it } from "vitest";
import { readServiceTemplate } from "../../local/service-template";

/** The parts of `serverless print --format json` the local tools read. */
function printed(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    service: "shop",
    provider: { name: "aws", stage: "pr-42", region: "eu-west-1" },
    functions: {
      getOrder: {
        handler: "functions/get-order.getOrder",
        events: [{ httpApi: "GET /orders/{id}" }],
      },
      health: {
        handler: "functions/health.handler",
        events: [{ httpApi: "GET /health" }, { schedule: "rate(1 minute)" }],
      },
      report: { name: "custom-report", events: [{ schedule: { rate: ["rate(1 hour)"] } }] },
    },
    resources: {
      Resources: { VitalsDashboard: { Type: "AWS::CloudWatch::Dashboard", Properties: {} } },
    },
    ...overrides,
  });
}

describe("reading serverless print", () => {
  it("takes the stage, the region, the resources and the deployed names of scheduled functions", () => {
    const template = readServiceTemplate(printed());

    expect(template).toMatchObject({ service: "shop", stage: "pr-42", region: "eu-west-1" });
    expect(Object.keys(template.resources)).toEqual(["VitalsDashboard"]);
    expect(template.scheduledFunctions).toEqual(["shop-pr-42-health", "custom-report"]);
  });

  it("says what is wrong with output it cannot use", () => {
    expect(() => readServiceTemplate("Warning: something\n{")).toThrow(
      "serverless print did not print JSON",
    );
    expect(() => readServiceTemplate(printed({ resources: undefined }))).toThrow(
      "the configuration has no resources.Resources",
    );
    expect(() => readServiceTemplate(printed({ provider: { stage: "dev" } }))).toThrow(
      "service, provider.stage and provider.region must be strings",
    );
  });
});
