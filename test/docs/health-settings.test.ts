/**
 * docs/health.md's settings table stays true: a row for every variable the health function
 * reads and none for one it does not; each numeric variable's default, range and integer rule as
 * `HEALTH_ENV` has them; and what the template sets, as its serverless.yml writes it and as that
 * resolves on the default stage and on `prod`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUDGET_ALARMS_VARIABLE, DEFAULT_NAMESPACE } from "../../functions/vitals/contract";
import { HEALTH_ENV, healthSettings } from "../../functions/vitals/health/settings";
import { SIBLINGS_ENV, siblingFunctions } from "../../functions/vitals/health/siblings-check";
import { functionEnvironment } from "../../infra/environment";
import { codeSpans, tablesUnder } from "../fixtures/markdown";
import { functionEnvironmentAsWritten, onStage, templateParams } from "../fixtures/template-config";

const ROOT = join(__dirname, "../..");
const doc = readFileSync(join(ROOT, "docs/health.md"), "utf8");

interface Row {
  readonly variable: string;
  readonly fallback: string;
  readonly template: string;
  readonly range: string;
}

/** The settings table's rows, one per variable. */
function rows(): Row[] {
  const [table] = tablesUnder(doc, "Settings");
  expect(table?.header).toEqual(["Variable", "Default", "The template sets", "Range", "Meaning"]);
  return (table?.rows ?? []).map(([variable = "", fallback = "", template = "", range = ""]) => ({
    variable: codeSpans(variable).join(","),
    fallback,
    template,
    range,
  }));
}

/** The variables the health function reads besides `HEALTH_ENV`, and what each one sets. */
const IDENTITY = {
  VITALS_VERSION: "version",
  VITALS_RELEASE: "releaseId",
  VITALS_NAMESPACE: "namespace",
  VITALS_SERVICE: "service",
} as const;

type Numeric = keyof typeof HEALTH_ENV;
const isNumeric = (name: string): name is Numeric => Object.hasOwn(HEALTH_ENV, name);

describe("docs/health.md, Settings", () => {
  it("has one row for every variable the health function reads, and no other", () => {
    // Prepare
    const documented = rows().map((row) => row.variable);
    const read = [
      ...Object.keys(HEALTH_ENV),
      ...Object.keys(IDENTITY),
      SIBLINGS_ENV,
      BUDGET_ALARMS_VARIABLE,
    ];
    const written = Object.keys(functionEnvironmentAsWritten("health"));

    // Assess
    expect([...documented].sort()).toEqual([...read].sort());
    expect(written.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it("gives each numeric variable's default and range as the code's own table has them", () => {
    for (const row of rows().filter((r) => isNumeric(r.variable))) {
      // Prepare
      const rule = HEALTH_ENV[row.variable as Numeric];

      // Assess
      expect(codeSpans(row.fallback), row.variable).toEqual([String(rule.fallback)]);
      expect(codeSpans(row.range), row.variable).toEqual([String(rule.min), String(rule.max)]);
      expect(row.range.includes("whole"), row.variable).toBe(rule.integer);
    }
  });

  it("gives the defaults of the other variables as healthSettings reads them", () => {
    // Prepare
    const unset = healthSettings({});
    const byRow = new Map(rows().map((row) => [row.variable, row]));

    // Assess
    for (const [variable, field] of Object.entries(IDENTITY)) {
      expect(healthSettings({ [variable]: "x-set" })[field], variable).toBe("x-set");
      expect(codeSpans(byRow.get(variable)?.fallback ?? ""), variable).toContain(unset[field]);
    }
    expect(unset.namespace).toBe(DEFAULT_NAMESPACE);
    expect(siblingFunctions({})).toEqual([]);
    expect(byRow.get(SIBLINGS_ENV)?.fallback).toMatch(/^none\b/);
  });

  it("says what the template writes for each variable, and what that is on each stage", () => {
    // Prepare
    const written = functionEnvironmentAsWritten("health");
    const params = templateParams();

    for (const row of rows().filter((r) => written[r.variable] !== undefined)) {
      // Act
      const value = written[row.variable] ?? "";
      const expected = [
        value,
        onStage(value, "default", params),
        onStage(value, "prod", params),
      ].filter((v, i, all) => all.indexOf(v) === i);

      // Assess: `${param:x}`: `dev value`, prod `prod value` (prod left out when equal)
      expect(codeSpans(row.template), row.variable).toEqual(expected);
    }
  });

  it("says 'set by the plugin' of exactly the variables the plugin gives the health function", () => {
    // Prepare
    const written = functionEnvironmentAsWritten("health");
    const given = functionEnvironment(
      {},
      { health: {}, getOrder: {} },
      {
        namespace: "Shop/dev",
        service: "shop",
        functions: [
          { key: "health", name: "shop-dev-health", templates: [] },
          { key: "getOrder", name: "shop-dev-getOrder", templates: [] },
        ],
        // as planStack gives it for a service with objectives
        budgetAlarms: ["shop-dev-slo-availability-fast-burn"],
      },
    ).health;

    // Act
    const documented = rows()
      .filter((row) => row.template.startsWith("set by the plugin"))
      .map((row) => row.variable);

    // Assess
    expect(documented.sort()).toEqual(Object.keys(given ?? {}).sort());
    expect(documented.filter((name) => written[name] !== undefined)).toEqual([]);
  });

  it("gives only values the health function accepts on every stage", () => {
    // Prepare
    const written = functionEnvironmentAsWritten("health");
    for (const stage of Object.keys(templateParams())) {
      const env = Object.fromEntries(
        Object.entries(written)
          .filter(([name]) => isNumeric(name))
          .map(([name, value]) => [name, onStage(value, stage)]),
      );

      // Assess
      expect(() => healthSettings(env), stage).not.toThrow();
    }
  });
});
