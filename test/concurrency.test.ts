import type { Context } from "aws-lambda";
import { expect, it } from "vitest";
import { metricsFor, withVitals } from "../functions/vitals";
import { lambdaContext } from "./fixtures/context";
import { emfProblems } from "./fixtures/emf-spec";
import { httpApiEvent } from "./fixtures/events";
import { capturedEachTest } from "./fixtures/stdout";

const out = capturedEachTest();

it("keeps 1,000 overlapping invocations in one process on their own lines", async () => {
  // Prepare: each invocation records data derived from its own id, and yields between every
  // call, so that all 1,000 are in flight at once and their steps interleave.
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  const handler = withVitals(
    async (event: { rawPath: string }, context: Context) => {
      const n = Number(event.rawPath.slice("/orders/".length));
      const metrics = metricsFor(context);
      await tick();
      metrics.addDimension("Shard", `s${n % 7}`);
      await tick();
      metrics.addMetric("Item", n, "Count");
      await new Promise((resolve) => setTimeout(resolve, (n * 7) % 13));
      metrics.addMetric("Item", n + 0.5, "Count");
      metrics.addProperty("n", n);
      await tick();
      return { statusCode: n % 10 === 0 ? 500 : 200, body: String(n) };
    },
    { namespace: "Test", service: "orders" },
  );
  const invocations = Array.from({ length: 1000 }, (_, n) =>
    handler(httpApiEvent({ path: `/orders/${n}` }), lambdaContext({ requestId: `req-${n}` })),
  );

  // Act
  const results = await Promise.all(invocations);

  // Assess: every result is its own, and every line holds exactly its invocation's data
  results.forEach((result, n) => {
    expect(result).toEqual({ statusCode: n % 10 === 0 ? 500 : 200, body: String(n) });
  });
  const lines = out.lines();
  expect(lines).toHaveLength(1000);
  const seen = new Set<number>();
  for (const line of lines) {
    expect(emfProblems(line)).toEqual([]);
    const doc = JSON.parse(line) as Record<string, unknown>;
    const n = doc.n as number;
    seen.add(n);
    expect(doc.requestId).toBe(`req-${n}`);
    expect(doc.path).toBe(`/orders/${n}`);
    expect(doc.Item).toEqual([n, n + 0.5]);
    expect(doc.Shard).toBe(`s${n % 7}`);
    expect(doc.status).toBe(n % 10 === 0 ? 500 : 200);
    expect(doc.Errors).toBe(n % 10 === 0 ? 1 : 0);
  }
  expect(seen.size).toBe(1000);
});
