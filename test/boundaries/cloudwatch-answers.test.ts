/**
 * What the CloudWatch checks make of answers the scripted fake does not give: an error whose code
 * is not a plain word (the check shows `Error`, never text a server chose), and a result with
 * neither values nor a status. A server on 127.0.0.1 answers each request with the next scripted
 * reply; the real SDK client asks it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { cloudWatchChecks, healthSettings } from "../../functions/vitals/health";
import type { HealthCheck } from "../../functions/vitals/health/checks";
import { SIBLINGS_ENV, siblingChecks } from "../../functions/vitals/health/siblings-check";
import { pointSdkAt } from "../fixtures/cloudwatch-server";

type Reply = { readonly status: number; readonly body: unknown } | "drop";

const replies: Reply[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const reply = replies.shift() ?? { status: 200, body: { MetricDataResults: [] } };
      if (reply === "drop") return res.socket?.destroy();
      res.writeHead(reply.status, { "content-type": "application/x-amz-json-1.0" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  pointSdkAt(`http://127.0.0.1:${port}`);
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((resolve) => server.close(resolve));
});

const settings = healthSettings({ VITALS_SERVICE: "orders-api", HEALTH_WINDOW_MINUTES: "5" });

function latency(): HealthCheck {
  const check = cloudWatchChecks(settings, { IS_OFFLINE: "" })[1];
  if (check === undefined) throw new Error("no latency check");
  return check;
}

describe("a CloudWatch error's code, as the check shows it", () => {
  it.each([
    ["a plain word", "Throttling", "Throttling"],
    ["starting with a digit", "9Lives", "Error"],
    ["with a space", "Bad Code", "Error"],
    ["of 65 characters", `L${"x".repeat(64)}`, "Error"],
  ])("%s", async (_what, code, shown) => {
    replies.push({ status: 400, body: { __type: code, message: "secret detail" } });
    const observation = await latency().run(new AbortController().signal);
    expect(observation).toEqual({
      status: "warn",
      observedValue: null,
      output: `CloudWatch GetMetricData failed: HTTP 400 ${shown}`,
    });
  });
});

describe("a result with neither values nor a status", () => {
  it("reads as complete and empty: no requests", async () => {
    replies.push({
      status: 200,
      body: { MetricDataResults: [{ Id: "latencyP99", Timestamps: [], Values: [] }] },
    });
    const observation = await latency().run(new AbortController().signal);
    expect(observation).toMatchObject({ status: "pass", observedValue: null });
  });
});

describe("a connection CloudWatch drops", () => {
  it("reads as unreachable, named by the error's class", async () => {
    replies.push("drop");
    const observation = await latency().run(new AbortController().signal);
    expect(observation).toMatchObject({ status: "warn", observedValue: null });
    expect(observation.output).toMatch(/^CloudWatch unreachable: [A-Za-z][\w.]*$/);
  });
});

describe("the sibling check, on answers per function", () => {
  function siblings(names: string): HealthCheck {
    const check = siblingChecks(settings, { [SIBLINGS_ENV]: names, IS_OFFLINE: "" })[0];
    if (check === undefined) throw new Error("no sibling check");
    return check;
  }
  const series = (Id: string, Values: unknown[]) => ({ Id, Timestamps: [], Values });

  it("names the worse of two siblings, and the first of two that are equally bad", async () => {
    replies.push({
      status: 200,
      body: {
        MetricDataResults: [
          series("e0", [1]),
          series("i0", [100]),
          series("e1", [10]),
          series("i1", [100]),
        ],
      },
    });
    replies.push({
      status: 200,
      body: {
        MetricDataResults: [
          series("e0", [10]),
          series("i0", [100]),
          series("e1", [10]),
          series("i1", [100]),
        ],
      },
    });
    const signal = new AbortController().signal;
    const second = await siblings("shop-a,shop-b").run(signal);
    const tie = await siblings("shop-a,shop-b").run(signal);
    expect(second.output).toBe("shop-b failed 10 of 100 invocations in the last 5 min");
    expect(tie.output).toBe("shop-a failed 10 of 100 invocations in the last 5 min");
  });

  it("reads a function CloudWatch returned nothing for as not invoked", async () => {
    replies.push({ status: 200, body: { MetricDataResults: [] } });
    expect(await siblings("shop-a").run(new AbortController().signal)).toMatchObject({
      status: "pass",
      observedValue: null,
      output: "no invocations in the last 5 min",
    });
  });

  it("leaves out values that are not finite numbers", async () => {
    replies.push({
      status: 200,
      body: { MetricDataResults: [series("e0", ["NaN", 1]), series("i0", ["Infinity", 50])] },
    });
    expect(await siblings("shop-a").run(new AbortController().signal)).toMatchObject({
      observedValue: 2,
    });
  });

  it("reads a dropped connection as unreachable, with no status to show, as the service checks do", async () => {
    replies.push("drop");
    expect(await siblings("shop-a").run(new AbortController().signal)).toEqual({
      status: "warn",
      observedValue: null,
      output: expect.stringMatching(/^CloudWatch unreachable: [A-Za-z][\w.]*$/),
    });
  });
});
