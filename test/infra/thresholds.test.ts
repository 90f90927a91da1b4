/**
 * The thresholds are written once, in infra/thresholds.json: the plugin's `custom.vitals.alarms`
 * schema, the parsing and the defaults come from that table, and the template's serverless.yml
 * maps one param per row, by the row's name, with the row's default.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { healthSettings } from "../../functions/vitals/health/settings";
import { alarmSettings, DEFAULT_THRESHOLDS, THRESHOLD_NAMES } from "../../infra/thresholds";
import TABLE from "../../infra/thresholds.json";
import { PROJECT_ROOT } from "../fixtures/project-copy";

/** The `custom.vitals` schema the plugin gives Serverless in its constructor. */
function pluginSchema(): { properties: { alarms: { properties: Record<string, unknown> } } } {
  const Plugin = createRequire(import.meta.url)("../../infra/plugin.cjs") as new (
    ...args: unknown[]
  ) => unknown;
  let schema: unknown;
  new Plugin(
    {
      // the plugin checks the Serverless version it runs under before anything else
      version: "3.40.0",
      classes: { Error },
      configSchemaHandler: { defineCustomProperties: (given: unknown) => (schema = given) },
    },
    {},
  );
  return (schema as { properties: { vitals: ReturnType<typeof pluginSchema> } }).properties.vitals;
}

describe("the thresholds table", () => {
  it("gives the defaults", () => {
    expect(THRESHOLD_NAMES).toEqual(Object.keys(TABLE));
    for (const name of THRESHOLD_NAMES) expect(DEFAULT_THRESHOLDS[name]).toBe(TABLE[name].default);
    expect(alarmSettings({}, {}).thresholds).toEqual(DEFAULT_THRESHOLDS);
  });

  it("gives the plugin's custom.vitals.alarms schema, built in its constructor", () => {
    const alarms = pluginSchema().properties.alarms.properties;

    expect(Object.keys(alarms).sort()).toEqual([...THRESHOLD_NAMES, "email", "ticketEmail"].sort());
  });

  it("is what the template's serverless.yml maps: one param per row, with the row's default", async () => {
    // Prepare
    const yml = await readFile(join(PROJECT_ROOT, "serverless.yml"), "utf8");
    const defaults = yml.slice(yml.indexOf("  default:"), yml.indexOf("  prod:"));

    // Assess
    for (const name of THRESHOLD_NAMES) {
      expect(yml, name).toMatch(new RegExp(`\\n {6}${name}: \\$\\{param:${name}\\}\\n`));
      expect(defaults, name).toMatch(new RegExp(`\\n {4}${name}: ${TABLE[name].default}\\n`));
    }
    expect(yml).toMatch(/\n {6}email: \$\{param:alarmEmail\}\n/);
  });
});

describe("errorRateMinRequests, which the template feeds to the alarms and to /health alike", () => {
  /** Whether a reader takes the value: false when it throws. */
  const takes = (read: () => unknown): boolean => {
    try {
      read();
      return true;
    } catch {
      return false;
    }
  };

  it.each(["0", "-1", "2.5", "1", "10"])("is taken by both or refused by both: %s", (value) => {
    // Act
    const byAlarms = takes(() => alarmSettings({ errorRateMinRequests: value }, {}));
    const byHealth = takes(() => healthSettings({ HEALTH_ERROR_RATE_MIN_REQUESTS: value }));

    // Assess
    expect(byAlarms).toBe(byHealth);
    expect(byAlarms).toBe(Number(value) >= 1 && Number.isInteger(Number(value)));
  });

  it("names the rule when it refuses a fraction", () => {
    expect(() => alarmSettings({ errorRateMinRequests: 2.5 }, {})).toThrow(
      "custom.vitals.alarms.errorRateMinRequests must be a whole number > 0, got 2.5",
    );
  });
});
