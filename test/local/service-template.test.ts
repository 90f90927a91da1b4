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
    custom: { vitals: { namespace: "Shop/pr-42", library: "src/vitals" } },
    ...overrides,
  });
}

describe("reading serverless print", () => {
  it("takes the stage, the region, the generator's input and the deployed names of scheduled functions", () => {
    const template = readServiceTemplate(printed());

    expect(template).toMatchObject({ service: "shop", stage: "pr-42", region: "eu-west-1" });
    expect(template.provider).toEqual({ name: "aws", stage: "pr-42", region: "eu-west-1" });
    expect(Object.keys(template.functions)).toEqual(["getOrder", "health", "report"]);
    expect(template.vitals).toEqual({ namespace: "Shop/pr-42", library: "src/vitals" });
    expect(template.scheduledFunctions).toEqual(["shop-pr-42-health", "custom-report"]);
  });

  it("reads an absent custom.vitals as empty, as the plugin does", () => {
    expect(readServiceTemplate(printed({ custom: undefined })).vitals).toEqual({});
  });

  it("says what is wrong with output it cannot use", () => {
    expect(() => readServiceTemplate("Warning: something\n{")).toThrow(
      "serverless print did not print JSON",
    );
    expect(() => readServiceTemplate(printed({ functions: { getOrder: "GET /" } }))).toThrow(
      "serverless print: functions.getOrder is not a mapping",
    );
    expect(() => readServiceTemplate(printed({ custom: { vitals: [] } }))).toThrow(
      "serverless print: custom.vitals is not a mapping",
    );
    expect(() => readServiceTemplate(printed({ provider: { stage: "dev" } }))).toThrow(
      "service, provider.stage and provider.region must be strings",
    );
  });
});
