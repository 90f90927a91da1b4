/**
 * docs/wrapping.md's options table stays true: one row for every option `withVitals` knows (the
 * list it names when it refuses an unknown one), and the defaults and rules the rows give are the
 * ones the code applies: the environment variables, the `LambdaVitals` and `local` fallbacks, the
 * namespace's and service's lengths and the namespace's reserved prefixes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withVitals } from "../../functions/vitals";
import {
  DEFAULT_NAMESPACE,
  NAMESPACE_VARIABLE,
  ROUTES_VARIABLE,
  SERVICE_VARIABLE,
} from "../../functions/vitals/contract";
import { LIMITS, namespaceProblem } from "../../functions/vitals/emf";
import { vitalsEnv } from "../../functions/vitals/runtime";
import { codeSpans, tablesUnder } from "../fixtures/markdown";

const page = readFileSync(join(__dirname, "../../docs/wrapping.md"), "utf8");

/** The options table: option → its default and purpose cells. */
function rows(): Map<string, { fallback: string; purpose: string }> {
  const [table] = tablesUnder(page, "Options");
  expect(table?.header).toEqual(["option", "default", "what it is for"]);
  return new Map(
    (table?.rows ?? []).map(([option = "", fallback = "", purpose = ""]) => [
      codeSpans(option).join(),
      { fallback, purpose },
    ]),
  );
}

/** The options `withVitals` knows, as it lists them when it refuses another. */
function knownOptions(): string[] {
  try {
    withVitals(async () => ({ statusCode: 200 }), { unknownOption: true } as never);
  } catch (error) {
    const known = /known: ([^)]+)\)/.exec(String(error))?.[1] ?? "";
    return known.split(",").map((name) => name.trim());
  }
  throw new Error("withVitals took an unknown option");
}

describe("docs/wrapping.md, Options", () => {
  it("has one row for every option withVitals knows, and no other", () => {
    expect(knownOptions().length).toBeGreaterThanOrEqual(5);
    expect([...rows().keys()].sort()).toEqual(knownOptions().sort());
  });

  it("gives the defaults the code reads: the variables, then LambdaVitals and local", () => {
    // Prepare
    const unset = vitalsEnv({});

    // Assess
    expect(unset).toEqual({ namespace: DEFAULT_NAMESPACE, service: "local" });
    expect(codeSpans(rows().get("namespace")?.fallback ?? "")).toEqual([
      NAMESPACE_VARIABLE,
      unset.namespace,
    ]);
    const service = codeSpans(rows().get("service")?.fallback ?? "");
    expect(service).toEqual([SERVICE_VARIABLE, "AWS_LAMBDA_FUNCTION_NAME", unset.service]);
    expect(vitalsEnv({ AWS_LAMBDA_FUNCTION_NAME: "fn" }).service).toBe("fn");
    expect(codeSpans(rows().get("routes")?.fallback ?? "")[0]).toBe(ROUTES_VARIABLE);
  });

  it("gives the namespace's rules as the code checks them", () => {
    // Prepare
    const purpose = rows().get("namespace")?.purpose ?? "";
    const longest = LIMITS.namespaceLength;

    // Assess
    expect(purpose).toContain(`1–${longest} printable ASCII characters`);
    expect(namespaceProblem("a".repeat(longest))).toBeUndefined();
    expect(namespaceProblem("a".repeat(longest + 1))).toBeDefined();
    for (const prefix of codeSpans(purpose)) {
      expect(namespaceProblem(`${prefix}Shop`), prefix).toBeDefined();
      expect(namespaceProblem(`Shop${prefix}`), prefix).toBeUndefined();
    }
    expect(codeSpans(purpose).sort()).toEqual([":", "AWS/"]);
  });

  it("gives the service's length as the code checks it", () => {
    // Prepare
    const longest = LIMITS.dimensionValueLength;
    const make = (service: string) => () => withVitals(async () => ({}), { service });

    // Assess
    expect(rows().get("service")?.purpose).toContain(`1–${longest} printable ASCII characters`);
    expect(make("a".repeat(longest))).not.toThrow();
    expect(make("a".repeat(longest + 1))).toThrow(TypeError);
  });
});
