/** Lines at CloudWatch's size limits: spread over several lines, never lost. */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { metricsFor, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { emfProblems } from "../fixtures/emf-spec";
import { httpApiEvent } from "../fixtures/events";
import { capturedEachTest, metricNames, options } from "./harness";

const out = capturedEachTest();

describe("lines at CloudWatch's size limit", () => {
  /** Every value of every custom metric, in order, across all lines. */
  function valuesOf(docs: Record<string, unknown>[], names: string[]): Record<string, number[]> {
    const found: Record<string, number[]> = {};
    for (const doc of docs) {
      for (const name of metricNames(doc).filter((n) => names.includes(n))) {
        const value = doc[name];
        const values = found[name] ?? [];
        found[name] = values;
        values.push(...(Array.isArray(value) ? value : [value as number]));
      }
    }
    return found;
  }

  it("spreads metrics too large for one line over several, losing none and keeping the properties", async () => {
    // Prepare: 300 metrics with long names, each of 150 long values (about 1.4 MB of data), and
    // long dimensions that every line repeats
    const names = Array.from({ length: 300 }, (_, i) => `M${i}`.padEnd(200, "x"));
    const value = (i: number) => -1.234567890123457e-300 * (i + 1) - Math.PI * 1e-310;
    const handler = withVitals(async (_event: unknown, context: Context) => {
      const metrics = metricsFor(context);
      for (const dimension of ["Tenant", "Region", "Stage"]) {
        metrics.addDimension(dimension, dimension[0]?.repeat(1000) ?? "");
      }
      metrics.addProperty("note", "kept");
      for (const name of names) for (let i = 0; i < 150; i++) metrics.addMetric(name, value(i));
      return { statusCode: 200 };
    }, options);

    // Act
    await handler(httpApiEvent(), lambdaContext({ requestId: "r-big" }));

    // Assess
    const lines = out.lines();
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(emfProblems(line)).toEqual([]);
    const docs = out.documents();
    const expected = Array.from({ length: 150 }, (_, i) => value(i));
    const found = valuesOf(docs, names);
    for (const name of names) expect(found[name]).toEqual(expected);
    expect(docs.filter((d) => d.Requests === 1)).toHaveLength(1);
    expect(docs.filter((d) => d.note === "kept")).toHaveLength(1);
    for (const doc of docs) {
      expect(doc).toMatchObject({
        requestId: "r-big",
        Service: "orders",
        Tenant: "T".repeat(1000),
      });
    }
  });
});
