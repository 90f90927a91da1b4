/**
 * docs/metrics.md stays true: the metrics table names every metric of the contract with its unit
 * and dimension sets, and the field table names every field of the contract and, for each, the
 * lines that do not carry it, as the wrapper really writes them: each kind of line differs from a
 * line that carries every field (a thrown error answering 500, with a trace header) in one way.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Context } from "aws-lambda";
import { describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import {
  DIMENSIONS,
  DROPPED_METRIC_DATA,
  FIELDS,
  HEALTH_CHECK_DIMENSION,
  HEALTH_METRICS,
  METRICS,
  type MetricSpec,
  REQUEST_DIMENSION_SETS,
} from "../../functions/vitals/contract";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent, scheduleEvent } from "../fixtures/events";
import { codeSpans, tablesUnder } from "../fixtures/markdown";
import { capturedEachTest as capturedStdoutEachTest } from "../fixtures/stdout";

const ROOT = join(__dirname, "../..");
const doc = readFileSync(join(ROOT, "docs/metrics.md"), "utf8");
const out = capturedStdoutEachTest(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

const TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

/** How a line differs from the full one, by the words the table's "absent on" column uses. */
type Difference =
  | "lines without a trace header"
  | "non-HTTP events"
  | "timeouts"
  | "answers without an error";

const failing = async (): Promise<never> => {
  throw new Error("invoice renderer unreachable");
};

/** The one line an invocation writes, with or without the trace header Lambda passes on. */
async function lineOf(
  handler: (event: unknown, context: Context) => Promise<unknown>,
  event: unknown,
  options: { trace?: boolean } = {},
): Promise<Record<string, unknown>> {
  vi.stubEnv("_X_AMZN_TRACE_ID", options.trace === false ? "" : TRACE_HEADER);
  const before = out.documents().length;
  await handler(event, lambdaContext());
  const written = out.documents().slice(before);
  expect(written).toHaveLength(1);
  return written[0] as Record<string, unknown>;
}

const options = { namespace: "Test", service: "orders" };
const http = () => httpApiEvent({ path: "/orders/1001", route: "/orders/{id}" });

/** The lines the wrapper writes: the full one, and one for each way a line can differ from it. */
async function lines(): Promise<{ full: object } & Record<Difference, object>> {
  const full = await lineOf(withVitals(failing, options), http());
  const noTrace = await lineOf(withVitals(failing, options), http(), { trace: false });
  const nonHttp = await nonHttpLine();
  const answered = await lineOf(
    withVitals(async () => ({ statusCode: 200, body: "{}" }), options),
    http(),
  );
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance", "hrtime"] });
  vi.stubEnv("_X_AMZN_TRACE_ID", TRACE_HEADER);
  const before = out.documents().length;
  void withVitals(() => new Promise<never>(() => {}), options)(
    http(),
    lambdaContext({ timeoutMs: 1000 }),
  );
  await vi.advanceTimersByTimeAsync(1000);
  const timeout = out.documents().slice(before)[0] ?? {};
  vi.useRealTimers();
  return {
    full,
    "lines without a trace header": noTrace,
    "non-HTTP events": nonHttp,
    timeouts: timeout,
    "answers without an error": answered,
  };
}

/** A non-HTTP event whose handler throws rethrows: its line is written all the same. */
async function nonHttpLine(): Promise<Record<string, unknown>> {
  vi.stubEnv("_X_AMZN_TRACE_ID", TRACE_HEADER);
  const before = out.documents().length;
  await withVitals(failing, options)(scheduleEvent(), lambdaContext()).catch(() => undefined);
  return out.documents().slice(before)[0] ?? {};
}

/** The field table's rows: the fields a row names, and the differences its last cell lists. */
function fieldRows(): { fields: string[]; absentOn: string[] }[] {
  const [table] = tablesUnder(doc, "Fields of the canonical line");
  expect(table?.header).toEqual(["field", "content", "absent on"]);
  return (table?.rows ?? [])
    .filter(([field = ""]) => codeSpans(field).length > 0)
    .map(([field = "", , absentOn = ""]) => ({
      fields: codeSpans(field),
      absentOn: absentOn === "never" ? [] : absentOn.split(",").map((part) => part.trim()),
    }));
}

describe("docs/metrics.md, the metrics", () => {
  const rows = () =>
    (tablesUnder(doc, "Metrics")[0]?.rows ?? []).map(([metric = "", unit = "", dims = ""]) => ({
      metric: codeSpans(metric).join(),
      unit,
      dimensions: codeSpans(dims),
    }));
  const set = (names: readonly string[]) => `[${names.join(", ")}]`;
  const expected = (metric: MetricSpec): string[] => {
    if (Object.values(METRICS).includes(metric as never)) return REQUEST_DIMENSION_SETS.map(set);
    if (metric === HEALTH_METRICS.check) return [set([DIMENSIONS.service, HEALTH_CHECK_DIMENSION])];
    return [set([DIMENSIONS.service])];
  };

  it("has a row for every metric of the contract, with its unit and dimension sets", () => {
    // Prepare
    const contract = [
      ...Object.values(METRICS),
      ...Object.values(HEALTH_METRICS),
      DROPPED_METRIC_DATA,
    ];

    // Assess
    expect(rows().map((row) => row.metric)).toEqual(contract.map((metric) => metric.name));
    for (const metric of contract) {
      const row = rows().find((r) => r.metric === metric.name);
      expect(row?.unit, metric.name).toBe(metric.unit);
      expect(row?.dimensions, metric.name).toEqual(expected(metric));
    }
  });
});

describe("docs/metrics.md, the fields of the canonical line", () => {
  it("names every field of the contract, and the dimensions", () => {
    // Prepare
    const named = fieldRows().flatMap((row) => row.fields);

    // Assess
    expect([...named].sort()).toEqual(
      [...Object.values(FIELDS), DIMENSIONS.service, DIMENSIONS.route].sort(),
    );
  });

  it("says on which lines each field is absent, as the wrapper writes them", async () => {
    // Act
    const written = await lines();
    const differences = Object.keys(written).filter((key) => key !== "full") as Difference[];

    // Assess: the full line carries every field; each other line lacks what the table says
    for (const row of fieldRows()) {
      for (const field of row.fields) {
        expect(written.full, field).toHaveProperty(field);
        const absent = differences.filter((kind) => !Object.hasOwn(written[kind], field));
        expect(absent.sort(), field).toEqual(row.absentOn.sort());
      }
    }
  });
});
