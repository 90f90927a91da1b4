/**
 * The names and values CloudWatch accepts, at their edges, through the public entry: the options
 * of `withVitals` (namespace, service), the handler's metric names and dimension values, and the
 * route values the wrapper derives from events.
 */
import type { Context } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { metricsFor, withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import type { Doc } from "../fixtures/documents";
import { emfProblems } from "../fixtures/emf-spec";
import { albEvent, httpApiEvent } from "../fixtures/events";
import { capturedEachTest } from "../fixtures/stdout";

const out = capturedEachTest();

const ok = async () => ({ statusCode: 200 });

describe("the namespace", () => {
  it.each(["N".repeat(255), "AWSome", "Shop/prod", "a:b"])("accepts %s", async (namespace) => {
    // Act
    await withVitals(ok, { namespace, service: "orders" })(httpApiEvent(), lambdaContext());
    // Assess: the line's directive carries it as given
    const [line] = out.lines();
    expect(emfProblems(line ?? "")).toEqual([]);
    const doc = JSON.parse(line ?? "{}") as Doc;
    const aws = doc._aws as { CloudWatchMetrics: { Namespace: string }[] };
    expect(aws.CloudWatchMetrics.map((directive) => directive.Namespace)).toEqual([namespace]);
  });

  it.each([
    ["N".repeat(256), "longer than 255"],
    ["", "empty"],
    ["   ", "blank"],
    ["Caf\u00e9", "not ASCII"],
    ["a\tb", "a control character"],
    [":Shop", "reserved, starting with a colon"],
    ["AWS/Lambda", "reserved for AWS"],
  ])("rejects %j (%s) with a TypeError", (namespace) => {
    expect(() => withVitals(ok, { namespace, service: "orders" })).toThrow(
      /^lambda-vitals: namespace must/,
    );
  });
});

describe("the service", () => {
  it("accepts a value of 1024 printable characters", async () => {
    // Act
    const service = "s".repeat(1024);
    await withVitals(ok, { service })(httpApiEvent(), lambdaContext());
    // Assess
    const [line] = out.lines();
    expect(emfProblems(line ?? "")).toEqual([]);
    expect((JSON.parse(line ?? "{}") as Doc).Service).toBe(service);
  });

  it.each([["s".repeat(1025)], [" "], ["orders\u00e9"]])(
    "rejects %j with a TypeError naming the option",
    (service) => {
      expect(() => withVitals(ok, { service })).toThrow(
        /^lambda-vitals: service: a dimension value/,
      );
    },
  );
});

/** Records with `record` in a wrapped handler; returns the lines, each checked. */
async function recorded(record: (context: Context) => void): Promise<Doc[]> {
  const handler = withVitals(
    async (_event: unknown, context: Context) => {
      record(context);
      return { statusCode: 200 };
    },
    { namespace: "Shop", service: "orders" },
  );
  await handler(httpApiEvent(), lambdaContext());
  for (const line of out.lines()) expect(emfProblems(line, Date.now())).toEqual([]);
  return out.documents();
}

describe("a handler's names and dimension values", () => {
  it("accept a name of 255 characters and a value of 1024", async () => {
    const name = "M".repeat(255);
    const docs = await recorded((context) => {
      metricsFor(context).addMetric(name, 1);
      metricsFor(context).addDimension("Tenant", "t".repeat(1024));
    });
    expect(docs).toHaveLength(1);
    expect(docs[0]?.[name]).toBe(1);
    expect(docs[0]?.Tenant).toBe("t".repeat(1024));
  });

  it.each([["M".repeat(256)], [""], ["  "], ["Caf\u00e9"], ["new\nline"]])(
    "drop the metric name %j",
    async (name) => {
      const docs = await recorded((context) => metricsFor(context).addMetric(name, 1));
      expect(docs).toHaveLength(2);
      expect(docs[1]?.DroppedMetricData).toBe(1);
      expect((docs[1]?.problems as string[] | undefined)?.[0]).toMatch(
        /a name must be 1-255 printable/,
      );
    },
  );

  it.each([["t".repeat(1025)], [" "], ["\u00e9"]])("drop the dimension value %j", async (value) => {
    const docs = await recorded((context) => {
      metricsFor(context).addDimension("Tenant", value);
      metricsFor(context).addMetric("Hits", 1);
    });
    expect(docs[0]).not.toHaveProperty("Tenant");
    expect((docs[1]?.problems as string[] | undefined)?.[0]).toMatch(
      /^dimension Tenant dropped: a dimension value must be 1-1024 printable/,
    );
  });
});

describe("dimension names starting with a colon", () => {
  it("are dropped and counted from addDimension and addDimensionSet; a colon inside is fine", async () => {
    // Act
    const docs = await recorded((context) => {
      metricsFor(context).addDimension(":Tenant", "acme");
      metricsFor(context).addDimensionSet({ ":Region": "eu" });
      metricsFor(context).addDimension("Team:Name", "core");
      metricsFor(context).addMetric("Hits", 1);
    });

    // Assess: CloudWatch's Dimension reference forbids a leading colon in a name
    const [line, warning] = docs;
    expect(line).not.toHaveProperty(":Tenant");
    expect(line).not.toHaveProperty(":Region");
    expect(line?.["Team:Name"]).toBe("core");
    expect(line?.Hits).toBe(1);
    expect(warning?.DroppedMetricData).toBe(2);
    expect(warning?.problems).toEqual([
      'dimension :Tenant dropped: a dimension name must not start with ":": ":Tenant"',
      'dimension set :Region dropped: :Region: a dimension name must not start with ":": ":Region"',
    ]);
  });
});

describe("the routes derived from events", () => {
  it("replace characters CloudWatch rejects and keep the rest", async () => {
    await withVitals(ok, { service: "orders" })(
      httpApiEvent({ path: "/caf\u00e9", route: "/caf\u00e9" }),
      lambdaContext(),
    );
    expect(out.documents()[0]?.Route).toBe("GET /caf?");
  });

  it("clip a route template to 1024 characters", async () => {
    const long = `/${"r".repeat(1100)}`;
    await withVitals(ok, { service: "orders" })(
      httpApiEvent({ path: long, route: long }),
      lambdaContext(),
    );
    const route = out.documents()[0]?.Route as string;
    expect(route).toBe(`GET ${long}`.slice(0, 1024));
  });

  it("clip the raw path on the line to 512 characters", async () => {
    const long = `/${"p".repeat(600)}`;
    await withVitals(ok, { service: "orders" })(albEvent({ path: long }), lambdaContext());
    expect(out.documents()[0]?.path).toBe(long.slice(0, 512));
  });
});
