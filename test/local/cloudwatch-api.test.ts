/**
 * The local CloudWatch: the real SDK client, and the health function's real checks, asking the
 * dev server's GetMetricData on 127.0.0.1, which answers from a store fed with EMF lines.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cloudWatchChecks } from "../../functions/vitals/health/cloudwatch-check";
import { healthSettings } from "../../functions/vitals/health/settings";
import { createMetricStore, type MetricStore, MINUTE_MS, minuteOf } from "../../local";
import { noEvaluator } from "../../local/alarm-states";
import { type DevServer, projectAssets, startDevServer } from "../../local/dev-server";
import { createIntake } from "../../local/intake";
import { emfLine } from "../fixtures/emf-lines";
import { PROJECT_ROOT } from "../fixtures/project-copy";

const service = { namespace: "Shop/dev", dimensions: { Service: "shop" } };
/** The minute before the current one: the health check reads whole minutes only. */
const lastMinute = minuteOf(Date.now()) - MINUTE_MS;

let store: MetricStore;
let server: DevServer;
let client: CloudWatchClient;

function request(at: number, latency: number, failed: boolean): string {
  return emfLine({ timestamp: at, members: { Latency: latency, Errors: failed ? 1 : 0 } });
}

beforeAll(async () => {
  store = createMetricStore();
  const intake = createIntake(store, Date.now);
  server = await startDevServer({
    assets: projectAssets(PROJECT_ROOT),
    port: 0,
    store,
    counts: intake.counts,
    invocations: intake.invocations,
    dashboard: () => undefined,
    evaluator: noEvaluator,
    now: Date.now,
  });
  client = new CloudWatchClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await server?.close();
});

describe("GetMetricData on the local CloudWatch", () => {
  it("answers the SDK's MetricStat queries with the store's statistics, one datapoint per period with data", async () => {
    // Prepare: 9 fast requests and one slow failure last minute, one request 3 minutes ago
    for (let i = 0; i < 9; i += 1)
      store.ingestLine(request(lastMinute + i * 1000, 20 + i, false), Date.now());
    store.ingestLine(request(lastMinute + 30_000, 1800, true), Date.now());
    store.ingestLine(request(lastMinute - 2 * MINUTE_MS, 5, false), Date.now());
    const metric = (name: string) => ({
      Namespace: service.namespace,
      MetricName: name,
      Dimensions: [{ Name: "Service", Value: "shop" }],
    });

    // Act
    const output = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(lastMinute - 4 * MINUTE_MS),
        EndTime: new Date(lastMinute + MINUTE_MS),
        MetricDataQueries: [
          { Id: "requests", MetricStat: { Metric: metric("Requests"), Period: 60, Stat: "Sum" } },
          { Id: "p99", MetricStat: { Metric: metric("Latency"), Period: 60, Stat: "p99" } },
          { Id: "errors", MetricStat: { Metric: metric("Errors"), Period: 300, Stat: "Sum" } },
          {
            Id: "hidden",
            ReturnData: false,
            MetricStat: { Metric: metric("Errors"), Period: 60, Stat: "Sum" },
          },
        ],
      }),
    );

    // Assess: newest first, as CloudWatch answers by default
    const byId = Object.fromEntries((output.MetricDataResults ?? []).map((r) => [r.Id, r]));
    expect(Object.keys(byId).sort()).toEqual(["errors", "p99", "requests"]);
    expect(byId.requests?.Values).toEqual([10, 1]);
    expect(byId.requests?.Timestamps?.map((t: Date) => t.getTime())).toEqual([
      lastMinute,
      lastMinute - 2 * MINUTE_MS,
    ]);
    expect(byId.p99?.Values).toEqual([1800, 5]);
    expect(byId.errors?.Values).toEqual([1]);
    expect(byId.requests?.StatusCode).toBe("Complete");
  });

  it("the health function's real checks read local traffic: 10 % errors over the window fail", async () => {
    // Prepare: the same environment npm start gives the health function
    vi.stubEnv("AWS_ENDPOINT_URL_CLOUDWATCH", server.url);
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "local");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "local");
    vi.stubEnv("AWS_SESSION_TOKEN", "");
    vi.stubEnv("AWS_MAX_ATTEMPTS", "1");
    const settings = healthSettings({ VITALS_NAMESPACE: "Shop/dev", VITALS_SERVICE: "shop" });
    const env = { IS_OFFLINE: "true", AWS_ENDPOINT_URL_CLOUDWATCH: server.url };
    const [errorRate, latency] = cloudWatchChecks(settings, env);

    // Act
    const signal = AbortSignal.timeout(15_000);
    const rate = await errorRate?.run(signal);
    const p99 = await latency?.run(signal);

    // Assess: 1 failure in 11 requests, p99 of the window is the slow one
    expect(rate).toMatchObject({ status: "fail", observedValue: 9.09, observedUnit: "percent" });
    expect(p99).toMatchObject({ status: "warn", observedValue: 1800, observedUnit: "ms" });
    vi.unstubAllEnvs();
  });

  it("refuses more than CloudWatch's 100,800 datapoints per call with its error, and answers 100,800", async () => {
    // Prepare: a query over the metric the first test stored, over `periods` minutes to now
    const query = (id: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: service.namespace, MetricName: "Latency", Dimensions: [] },
        Period: 60,
        Stat: "SampleCount",
      },
    });
    const call = (periods: number, ids: string[]) =>
      client
        .send(
          new GetMetricDataCommand({
            StartTime: new Date(lastMinute + MINUTE_MS - periods * MINUTE_MS),
            EndTime: new Date(lastMinute + MINUTE_MS),
            MetricDataQueries: ids.map(query),
          }),
        )
        .catch((error: unknown) => error);

    // Act: a million periods (the probe's), two queries of 50,401, and exactly the limit
    const million = await call(1_000_000, ["m1"]);
    const twoQueries = await call(50_401, ["m1", "m2"]);
    const atLimit = await call(100_800, ["m1"]);

    // Assess
    expect(million).toMatchObject({
      name: "InvalidParameterCombinationException",
      $metadata: { httpStatusCode: 400 },
      message: expect.stringMatching(
        /^You have requested up to 1000000 datapoints, which exceeds the limit of 100800\./,
      ),
    });
    expect(twoQueries).toMatchObject({
      name: "InvalidParameterCombinationException",
      message: expect.stringMatching(/requested up to 100802 datapoints/),
    });
    expect(atLimit).toMatchObject({ MetricDataResults: [{ Id: "m1", StatusCode: "Complete" }] });
  });

  it("refuses what it does not implement with a 400 that names it, and keeps serving", async () => {
    // Act: each settled before the next starts, so none rejects unobserved
    const list = await client.send(new ListMetricsCommand({})).catch((error: unknown) => error);
    const expression = await client
      .send(
        new GetMetricDataCommand({
          StartTime: new Date(lastMinute),
          EndTime: new Date(lastMinute + MINUTE_MS),
          MetricDataQueries: [{ Id: "e1", Expression: "SUM(METRICS())" }],
        }),
      )
      .catch((error: unknown) => error);
    const garbage = await fetch(server.url, {
      method: "POST",
      headers: { "x-amz-target": "GraniteServiceVersion20100801.GetMetricData" },
      body: "{not json",
    });

    // Assess
    expect(list).toMatchObject({
      name: "UnknownOperationException",
      $metadata: { httpStatusCode: 400 },
    });
    expect(expression).toMatchObject({
      message: expect.stringMatching(/MetricStat queries, not Expression/),
    });
    expect(garbage.status).toBe(400);
    expect(await garbage.json()).toEqual({
      __type: "SerializationException",
      message: "the request body is not JSON",
    });
    expect((await fetch(`${server.url}/api/state`)).status).toBe(200);
  });
});
