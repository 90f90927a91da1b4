/**
 * What `npm start` does with each line the functions print: EMF into the store, one readable
 * terminal line per invocation, and bad input (malformed, oversized, not EMF) counted, never fatal.
 */
import { describe, expect, it } from "vitest";
import { createMetricStore, minuteOf } from "../../local";
import { createIntake } from "../../local/intake";
import type { Invocation } from "../../local/invocations";
import { createLineSplitter, type SplitLine } from "../../local/line-splitter";
import {
  COLOR,
  formatInvocation,
  formatRejection,
  formatWarning,
  PLAIN,
} from "../../local/terminal";
import { emfLine, NOW } from "../fixtures/emf-lines";

/** A canonical line as the wrapper writes it, with the fields the terminal and table read. */
function canonical(members: Record<string, unknown> = {}): string {
  return emfLine({
    members: {
      requestId: "8235bba3-2d05-473d-b3e3-1e136cf8b1cb",
      method: "GET",
      path: "/orders/1001",
      status: 200,
      Latency: 1.14,
      ColdStart: 1,
      ...members,
    },
  });
}

function invocation(overrides: Partial<Invocation> = {}): Invocation {
  return {
    time: NOW,
    route: "GET /orders/{id}",
    requestId: "8235bba3-2d05-473d-b3e3-1e136cf8b1cb",
    status: 200,
    latencyMs: 1.14,
    coldStart: true,
    timeout: false,
    ...overrides,
  };
}

const line = (text: string): SplitLine => ({ kind: "line", text });

describe("the terminal line of an invocation", () => {
  it("is route, status, latency, cold start and the request id's first block", () => {
    expect(formatInvocation(invocation(), PLAIN)).toBe(
      "GET /orders/{id}  200  1.1 ms  cold  8235bba3",
    );
    expect(formatInvocation(invocation({ coldStart: false, latencyMs: 1234.5 }), PLAIN)).toBe(
      "GET /orders/{id}  200  1235 ms  8235bba3",
    );
  });

  it("shows an error's type and message, and a timeout stands out", () => {
    const failed = invocation({
      status: 500,
      errorType: "Error",
      errorMessage: "renderer unreachable",
    });
    const timedOut = invocation({
      status: 504,
      timeout: true,
      errorType: "Timeout",
      errorMessage: "deadline",
    });

    expect(formatInvocation(failed, PLAIN)).toBe(
      "GET /orders/{id}  500  1.1 ms  cold  8235bba3  Error: renderer unreachable",
    );
    expect(formatInvocation(timedOut, PLAIN)).toMatch(/^ TIMEOUT {3}GET \/orders\/\{id\} {2}504 /);
    expect(formatInvocation(timedOut, COLOR)).toContain("\x1b[1;37;41m TIMEOUT \x1b[0m");
    expect(formatInvocation(failed, COLOR)).toContain("\x1b[31m500\x1b[39m");
  });

  it("cannot move the cursor: control characters from a handler's message are shown escaped", () => {
    const hostile = invocation({ status: 500, errorType: "Error", errorMessage: "a\x1b[2Jb\nc" });
    expect(formatInvocation(hostile, PLAIN)).toContain("Error: a\\x1b[2Jb\\x0ac");
    expect(formatRejection("not JSON", 2, PLAIN)).toBe("✗ EMF line rejected (2 so far): not JSON");
  });

  it("escapes every C0, DEL and C1 control character (U+009B is CSI) in a dropped-data warning", () => {
    // Prepare: a metric name that would clear the screen, set the window title and forge a line
    const name = "a\x1b[2J\x1b]0;pwned\x07\u009b2J\u0085\x7f\r\nGET /x  200";
    const controls = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i))
      .concat("\x7f")
      .concat(Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(0x80 + i)))
      .join("");

    // Act
    const printed = formatWarning(`lambda-vitals dropped 1 metric entry: ${name}`, PLAIN);
    const all = formatWarning(controls, COLOR);

    // Assess: nothing the terminal would act on is left, and what was there is visible
    expect(printed).toBe(
      "⚠ lambda-vitals dropped 1 metric entry: a\\x1b[2J\\x1b]0;pwned\\x07\\x9b2J\\x85\\x7f\\x0d\\x0aGET /x  200",
    );
    const inner = all.slice("\x1b[33m".length, -"\x1b[39m".length);
    const isControl = (c: string) => c.charCodeAt(0) < 0x20 || (c >= "\x7f" && c <= "\x9f");
    expect([...inner].filter(isControl)).toEqual([]);
    expect(inner).toContain("\\x00");
    expect(inner).toContain("\\x9f");
  });
});

describe("the intake", () => {
  it("stores a canonical line's metrics and turns it into an invocation", () => {
    const store = createMetricStore();
    const intake = createIntake(store, () => NOW);

    const result = intake.read(
      line(canonical({ Errors: 1, status: 500, errorType: "Error", errorMessage: "boom" })),
    );

    expect(result).toMatchObject({
      kind: "invocation",
      invocation: {
        route: "GET /orders/{id}",
        status: 500,
        latencyMs: 1.14,
        coldStart: true,
        errorType: "Error",
        errorMessage: "boom",
      },
    });
    const errors = { namespace: "Shop/dev", name: "Errors", dimensions: { Service: "shop" } };
    expect(store.datapoint(errors, "Sum", minuteOf(NOW), 60)).toBe(1);
    expect(intake.invocations()).toHaveLength(1);
    expect(intake.counts()).toMatchObject({
      emfAccepted: 1,
      emfRejected: 0,
      otherLines: 0,
      invocations: 1,
    });
  });

  it("counts a malformed EMF line with CloudWatch's reason, stores nothing from it, and goes on", () => {
    const store = createMetricStore();
    const intake = createIntake(store, () => NOW);

    const broken = intake.read(line('{"_aws":{"Timestamp":1,'));
    const invalid = intake.read(line(canonical({ Latency: "fast" })));
    const after = intake.read(line(canonical()));

    expect(broken).toMatchObject({ kind: "rejected", reason: "not JSON", count: 1 });
    expect(invalid).toMatchObject({
      kind: "rejected",
      reason: 'metric Latency has a value that is not a number: "fast"',
      count: 2,
    });
    expect(after.kind).toBe("invocation");
    expect(intake.counts()).toMatchObject({ emfAccepted: 1, emfRejected: 2, invocations: 1 });
    expect(intake.counts().rejections.map((r) => r.reason)).toEqual([
      "not JSON",
      'metric Latency has a value that is not a number: "fast"',
    ]);
  });

  it("passes a line that is not EMF through, counted as another line", () => {
    const intake = createIntake(createMetricStore(), () => NOW);

    const result = intake.read(line("START RequestId: 8235bba3 Version: $LATEST"));
    const json = intake.read(line('{"level":"info","msg":"an app log"}'));

    expect(result).toEqual({ kind: "other", raw: "START RequestId: 8235bba3 Version: $LATEST" });
    expect(json.kind).toBe("other");
    expect(intake.counts()).toMatchObject({ emfAccepted: 0, emfRejected: 0, otherLines: 2 });
  });

  it("rejects an oversized EMF line as CloudWatch Logs would, and keeps going", () => {
    // Prepare: a line over the splitter's limit, split across chunks as a pipe delivers it
    const intake = createIntake(createMetricStore(), () => NOW);
    const results: string[] = [];
    const split = createLineSplitter((piece) => results.push(intake.read(piece).kind), 1024);
    const huge = canonical({ padding: "x".repeat(5000) });

    // Act
    split.push(huge.slice(0, 700));
    split.push(`${huge.slice(700)}\n${canonical()}\n`);

    // Assess
    expect(results).toEqual(["rejected", "invocation"]);
    expect(intake.counts().rejections[0]?.reason).toMatch(
      /^the log event is over 1 MB \(\d+ bytes\)$/,
    );
  });

  it("names a dropped-data warning line, which is metrics but not an invocation", () => {
    const intake = createIntake(createMetricStore(), () => NOW);
    const warning = emfLine({
      dimensions: [["Service"]],
      metrics: [{ Name: "DroppedMetricData", Unit: "Count" }],
      members: {
        DroppedMetricData: 2,
        level: "WARN",
        message: "lambda-vitals dropped 2 metric entries",
        problems: ["Score: NaN"],
      },
    });

    expect(intake.read(line(warning))).toMatchObject({
      kind: "metrics",
      warning: "lambda-vitals dropped 2 metric entries: Score: NaN",
    });
    expect(intake.counts().invocations).toBe(0);
  });
});

describe("the line splitter", () => {
  it("joins chunks into lines, drops \\r of \\r\\n, and flushes the last unterminated line", () => {
    const lines: SplitLine[] = [];
    const split = createLineSplitter((piece) => lines.push(piece));

    split.push("one\r\ntw");
    split.push(Buffer.from("o\nthr"));
    split.flush();

    expect(lines).toEqual([line("one"), line("two"), line("thr")]);
  });

  it("never holds more than the limit: an over-long line is reported once with its size and head", () => {
    const lines: SplitLine[] = [];
    const split = createLineSplitter((piece) => lines.push(piece), 10);

    split.push("0123456789abcdef");
    split.push("ghij\nok\n");

    expect(lines).toEqual([{ kind: "oversized", bytes: 20, head: "0123456789abcdef" }, line("ok")]);
  });
});
