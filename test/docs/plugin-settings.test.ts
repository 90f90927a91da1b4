/**
 * docs/existing-services.md's `custom.vitals` table stays true: one row for every setting of the
 * schema the plugin gives Serverless, and none for a setting it does not have; each alarm
 * threshold's default as the thresholds table gives it, and what it accepts as the parsing
 * decides; and the statement keys that `custom.vitals.permissions` accepts, as it decides them.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_NAMESPACE } from "../../functions/vitals/contract";
import { costSettings } from "../../infra/cost-settings";
import { functionStatements } from "../../infra/permissions";
import { readServiceConfig } from "../../infra/service";
import { alarmSettings, DEFAULT_THRESHOLDS, THRESHOLD_NAMES } from "../../infra/thresholds";
import { codeSpans, tablesUnder } from "../fixtures/markdown";
import { serviceConfig } from "../fixtures/service-config";

const ROOT = join(__dirname, "../..");
const doc = readFileSync(join(ROOT, "docs/existing-services.md"), "utf8");

interface Schema {
  readonly properties?: Record<string, Schema>;
  readonly additionalProperties?: unknown;
}

/** The `custom.vitals` schema the plugin gives Serverless in its constructor. */
function pluginSchema(): Schema {
  const Plugin = createRequire(__filename)("../../infra/plugin.cjs") as new (
    ...args: unknown[]
  ) => unknown;
  let schema: { properties: { vitals: Schema } } | undefined;
  new Plugin(
    {
      version: "3.40.0",
      classes: { Error },
      configSchemaHandler: {
        defineCustomProperties: (given: typeof schema) => {
          schema = given;
        },
      },
    },
    {},
  );
  return schema?.properties.vitals ?? {};
}

/** Every setting of a schema, as the table names it: `alarms.email`, `routes.<function>`. */
function settings(schema: Schema, prefix = ""): string[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, value]) => {
    if (value.properties !== undefined) return settings(value, `${prefix}${key}.`);
    if (typeof value.additionalProperties === "object") return [`${prefix}${key}.<function>`];
    return [`${prefix}${key}`];
  });
}

/** The table under "2. One plugin line": setting → its cells. */
function rows(): Map<string, { fallback: string; accepts: string }> {
  const [table] = tablesUnder(doc, "2. One plugin line");
  expect(table?.header).toEqual(["Setting", "Default", "Accepts", "What it does"]);
  return new Map(
    (table?.rows ?? []).map(([setting = "", fallback = "", accepts = ""]) => [
      codeSpans(setting).join(),
      { fallback, accepts },
    ]),
  );
}

/** Whether `read` takes a value: false when it throws. */
function takes(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}

describe("docs/existing-services.md, the custom.vitals settings", () => {
  it("has one row for every setting of the plugin's schema, and no other", () => {
    expect([...rows().keys()].sort()).toEqual(settings(pluginSchema()).sort());
  });

  it("gives each alarm threshold's default and what it accepts, as the parsing has them", () => {
    for (const name of THRESHOLD_NAMES) {
      // Prepare
      const row = rows().get(`alarms.${name}`);
      const parse = (value: unknown) => () => alarmSettings({ [name]: value }, {});

      // Assess
      expect(codeSpans(row?.fallback ?? ""), name).toEqual([String(DEFAULT_THRESHOLDS[name])]);
      expect(takes(parse(0)), name).toBe(false);
      expect(row?.accepts, name).toBe(takes(parse(0.5)) ? "a number > 0" : "a whole number > 0");
    }
  });

  it("gives the namespace's and the roles' defaults as the plugin reads them", () => {
    // Prepare
    const config = serviceConfig();
    const { namespace: _written, ...vitals } = config.vitals as Record<string, unknown>;
    const input = readServiceConfig({ ...config, vitals });

    // Assess
    expect(input.namespace).toBe(`${DEFAULT_NAMESPACE}/${config.stage}`);
    expect(codeSpans(rows().get("namespace")?.fallback ?? "")).toEqual([
      `${DEFAULT_NAMESPACE}/<stage>`,
    ]);
    expect(input.roles).not.toBe(false);
    expect(codeSpans(rows().get("roles")?.fallback ?? "")).toEqual(["true"]);
  });

  it("says the cost limits take whole numbers from 0, and have no default", () => {
    for (const name of ["metricBudget", "metricLimit"] as const) {
      // Prepare
      const read = (value: unknown) => () =>
        costSettings({ functions: {}, vitals: { cost: { [name]: value } } });

      // Assess
      expect(costSettings({ functions: {}, vitals: {} })[name]).toBeUndefined();
      expect(rows().get(`cost.${name}`)?.fallback).toBe("none");
      expect([takes(read(0)), takes(read(2.5)), takes(read(-1))]).toEqual([true, false, false]);
      expect(rows().get(`cost.${name}`)?.accepts).toBe("a whole number ≥ 0");
    }
  });
});

describe("docs/existing-services.md, custom.vitals.permissions statements", () => {
  /** The sentence that lists a statement's keys, and the ones it says are refused. */
  function documentedKeys(): { accepted: string[]; refused: string[] } {
    const sentence = /A statement has the keys ([^)]+)\)/.exec(doc.replace(/\s+/g, " "))?.[1] ?? "";
    const [accepted = "", refused = ""] = sentence.split("and no other");
    return { accepted: codeSpans(accepted), refused: codeSpans(refused) };
  }

  const statement = (keys: readonly string[]): Record<string, unknown> =>
    Object.fromEntries(
      keys.map((key) => {
        if (key === "Effect") return [key, "Allow"];
        if (key === "Action" || key === "NotAction") return [key, ["s3:GetObject"]];
        if (key === "Condition") return [key, { Bool: { "aws:SecureTransport": "true" } }];
        if (key === "Sid") return [key, "Read"];
        return [key, "arn:aws:s3:::bucket/*"];
      }),
    );

  it("accepts every key the page lists, and refuses the ones it says are refused", () => {
    // Prepare
    const { accepted, refused } = documentedKeys();

    // Assess
    expect(accepted.length).toBeGreaterThanOrEqual(4);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(takes(() => functionStatements([statement(accepted)], "getOrder"))).toBe(true);
    for (const key of refused) {
      expect(
        takes(() => functionStatements([statement([...accepted, key])], "getOrder")),
        key,
      ).toBe(false);
    }
  });

  it("needs none of the listed keys but Action and Resource: Effect is Allow when left out", () => {
    // Act
    const [written] = functionStatements([statement(["Action", "Resource"])], "getOrder");

    // Assess
    expect(written?.Effect).toBe("Allow");
    expect(takes(() => functionStatements([statement(["Action"])], "getOrder"))).toBe(false);
  });
});
