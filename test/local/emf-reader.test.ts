import { describe, expect, it } from "vitest";
import { readEmfLine } from "../../local";
import { emfDocument, emfLine, NOW } from "../fixtures/emf-lines";

const reasonOf = (line: string, now = NOW): string => {
  const reading = readEmfLine(line, now);
  if (reading.accepted) throw new Error("expected a rejection");
  return reading.reason;
};

describe("reading a log line with CloudWatch's EMF rules", () => {
  it("turns each metric under each dimension set into a datapoint", () => {
    const reading = readEmfLine(emfLine(), NOW);
    expect(reading.accepted).toBe(true);
    if (!reading.accepted) return;
    expect(reading.datapoints).toHaveLength(6);
    expect(reading.datapoints).toContainEqual({
      namespace: "Shop/dev",
      name: "Latency",
      unit: "Milliseconds",
      dimensions: { Service: "shop" },
      timestamp: NOW,
      values: [12.5],
    });
  });

  it("reads an array of values and a metric without a unit as None", () => {
    const line = emfLine({
      metrics: [{ Name: "Latency" }],
      dimensions: [[]],
      members: { Latency: [1, 2, 3] },
    });
    const reading = readEmfLine(line, NOW);
    expect(reading).toMatchObject({
      accepted: true,
      datapoints: [{ name: "Latency", unit: "None", dimensions: {}, values: [1, 2, 3] }],
    });
  });

  it.each([
    ["not JSON", "{not json", /not JSON/],
    ["an array", "[1]", /not a JSON object/],
    ["no _aws", JSON.stringify({ Requests: 1 }), /_aws is missing/],
    ["a string Timestamp", emfLine({ timestamp: "now" }), /Timestamp is not an integer/],
    ["a Timestamp 15 days old", emfLine({ timestamp: NOW - 15 * 86_400_000 }), /14 days old/],
    [
      "a Timestamp 3 hours ahead",
      emfLine({ timestamp: NOW + 3 * 3_600_000 }),
      /2 hours in the future/,
    ],
    ["a Namespace starting with :", emfLine({ namespace: ":shop" }), /starts with ":"/],
    ["an AWS/ Namespace", emfLine({ namespace: "AWS/Lambda" }), /reserved for AWS/],
    ["a missing Namespace", emfLine({ namespace: undefined }), /Namespace is not a string/],
    ["empty Dimensions", emfLine({ dimensions: [] }), /Dimensions is not a non-empty array/],
    [
      "a set of 31 dimensions",
      emfLine({
        dimensions: [Array.from({ length: 31 }, (_, i) => `D${i}`)],
        members: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`D${i}`, "x"])),
      }),
      /31 keys \(at most 30\)/,
    ],
    ["a dimension key that is not a string", emfLine({ dimensions: [[7]] }), /dimension key 7/],
    [
      "a dimension name starting with :",
      emfLine({ dimensions: [[":Tenant"]], members: { ":Tenant": "acme" } }),
      /dimension key ":Tenant" starts with ":"/,
    ],
    [
      "a dimension with a number value",
      emfLine({ members: { Route: 5 } }),
      /Route is not a string member/,
    ],
    ["a blank dimension value", emfLine({ members: { Route: "  " } }), /Route is not 1 to 1024/],
    [
      "a non-ASCII dimension value",
      emfLine({ members: { Route: "café" } }),
      /Route is not 1 to 1024/,
    ],
    [
      "a metric value that is a string",
      emfLine({ members: { Latency: "12" } }),
      /Latency has a value/,
    ],
    ["a null metric value", emfLine({ members: { Latency: null } }), /Latency has a value/],
    ["101 values", emfLine({ members: { Latency: Array(101).fill(1) } }), /101 values/],
    ["an empty array of values", emfLine({ members: { Latency: [] } }), /0 values/],
    ["a value beyond 2^360", emfLine({ members: { Latency: 2 ** 361 } }), /Latency has a value/],
    [
      "101 metric definitions",
      emfLine({ metrics: Array.from({ length: 101 }, () => ({ Name: "Requests" })) }),
      /101 definitions/,
    ],
    [
      "an unknown unit",
      emfLine({ metrics: [{ Name: "Latency", Unit: "ms" }] }),
      /unknown Unit "ms"/,
    ],
    [
      "a StorageResolution of 5",
      emfLine({ metrics: [{ Name: "Latency", StorageResolution: 5 }] }),
      /StorageResolution 5/,
    ],
  ])("rejects %s, with the reason", (_name, line, reason) => {
    expect(reasonOf(line)).toMatch(reason);
  });

  it("rejects a whole document when one of its directives is invalid", () => {
    const document = emfDocument();
    const aws = document._aws as { CloudWatchMetrics: unknown[] };
    aws.CloudWatchMetrics.push({
      Namespace: "Shop/dev",
      Dimensions: [[]],
      Metrics: [{ Name: "X" }],
    });
    expect(reasonOf(JSON.stringify(document))).toMatch(/metric X has a value/);
  });

  it("rejects a line over 1 MB", () => {
    const line = emfLine({ members: { padding: "x".repeat(1_048_576) } });
    expect(reasonOf(line)).toMatch(/over 1 MB/);
  });
});
