/**
 * serverless-offline's timeout, which names no request, shown as the request it ended: the
 * request and finish lines it logs are followed, and the terminal line says whose timer it was.
 */
import { describe, expect, it } from "vitest";
import { createOfflineRequests, offlineTimeoutSeconds } from "../../local/offline-requests";
import { formatOfflineTimeout, PLAIN } from "../../local/terminal";

const TIMEOUT_LINE = "✖ [504] - Lambda timeout.";
const finished = (key: string) =>
  `(λ: ${key}) RequestId: 0b8f…  Duration: 12.00 ms  Billed Duration: 13 ms`;

describe("serverless-offline's requests", () => {
  it("attributes a timeout to the waiting request whose timeout falls first", () => {
    // Prepare
    const seconds: Record<string, number> = { slow: 1, other: 10 };
    const requests = createOfflineRequests((key) => seconds[key]);
    expect(requests.read("GET /other (λ: other)", 0)).toEqual({ kind: "started" });
    expect(requests.read("POST /slow (λ: slow)", 500)).toEqual({ kind: "started" });

    // Act
    const line = requests.read(TIMEOUT_LINE, 1500);

    // Assess
    expect(line).toEqual({
      kind: "timeout",
      timeout: {
        request: { method: "POST", path: "/slow", functionKey: "slow", startedAt: 500 },
        timeoutSeconds: 1,
        wrapperWroteLine: false,
      },
    });
    // the other request is still the one waiting
    expect(requests.read(TIMEOUT_LINE, 10_000)).toMatchObject({
      timeout: { request: { path: "/other" }, timeoutSeconds: 10 },
    });
  });

  it("forgets a request once its function answers, and knows a timeout with nothing waiting", () => {
    // Prepare
    const requests = createOfflineRequests(() => 6);
    requests.read("GET /orders/1 (λ: getOrder)", 0);

    // Act
    const done = requests.read(finished("getOrder"), 10);
    const timeout = requests.read(TIMEOUT_LINE, 7000);

    // Assess
    expect(done).toEqual({ kind: "finished" });
    expect(timeout).toEqual({ kind: "timeout", timeout: { wrapperWroteLine: false } });
  });

  it("takes the oldest request when the template is not printed yet", () => {
    // Prepare
    const requests = createOfflineRequests(() => undefined);
    requests.read("GET /a (λ: a)", 0);
    requests.read("GET /b (λ: b)", 5);

    // Act
    const line = requests.read(TIMEOUT_LINE, 6000);

    // Assess: no timeout is claimed that is not known
    expect(line).toEqual({
      kind: "timeout",
      timeout: {
        request: { method: "GET", path: "/a", functionKey: "a", startedAt: 0 },
        wrapperWroteLine: false,
      },
    });
  });

  it("remembers that the wrapper wrote its own timeout line for that method and path", () => {
    // Prepare
    const requests = createOfflineRequests(() => 3);
    requests.read("GET /slow (λ: slow)", 0);
    requests.read("GET /slow (λ: slow)", 100);
    requests.wrapperTimedOut("GET", "/elsewhere");
    requests.wrapperTimedOut("GET", "/slow");

    // Act
    const first = requests.read(TIMEOUT_LINE, 3000);
    const second = requests.read(TIMEOUT_LINE, 3100);

    // Assess: one line of the wrapper's marks one request
    expect(first).toMatchObject({ timeout: { request: { startedAt: 0 }, wrapperWroteLine: true } });
    expect(second).toMatchObject({
      timeout: { request: { startedAt: 100 }, wrapperWroteLine: false },
    });
  });

  it("leaves every other line alone", () => {
    // Prepare
    const requests = createOfflineRequests(() => 6);

    // Act and Assess
    for (const text of [
      "Server ready: http://127.0.0.1:3000 🚀",
      "GET /orders (λ: list) extra",
      "[504] - Lambda timeout. and more",
      "",
    ]) {
      expect(requests.read(text, 0), text).toBeUndefined();
    }
  });
});

describe("a function's timeout as serverless-offline reads it", () => {
  it("is the function's, else the provider's, else 6 seconds", () => {
    expect(offlineTimeoutSeconds({ timeout: 3 }, { timeout: 10 })).toBe(3);
    expect(offlineTimeoutSeconds({}, { timeout: 10 })).toBe(10);
    expect(offlineTimeoutSeconds(undefined, { timeout: "20" })).toBe(20);
    expect(offlineTimeoutSeconds({}, {})).toBe(6);
    expect(offlineTimeoutSeconds({ timeout: "soon" }, {})).toBe(6);
    expect(offlineTimeoutSeconds({ timeout: 0 }, {})).toBe(6);
  });
});

describe("the terminal's line for serverless-offline's timeout", () => {
  const request = { method: "GET", path: "/slow", functionKey: "slow", startedAt: 0 };

  it("names the request, the 504, whose timer it was and what to change", () => {
    expect(
      formatOfflineTimeout({ request, timeoutSeconds: 1, wrapperWroteLine: false }, PLAIN),
    ).toBe(
      " TIMEOUT   GET /slow  504  serverless-offline's 1 s timer for slow fired before the handler" +
        " wrote a line. In a cold worker that timer also counts the module's load, which Lambda's" +
        " does not: give the function more `timeout`, or set custom.serverless-offline.noTimeout",
    );
  });

  it("says only that serverless-offline answered, after the wrapper's own timeout line", () => {
    expect(
      formatOfflineTimeout({ request, timeoutSeconds: 1, wrapperWroteLine: true }, PLAIN),
    ).toBe("GET /slow  504  (serverless-offline's answer after the timeout above)");
  });

  it("escapes what the request line carried, and says 'a request' when none was waiting", () => {
    const forged = { ...request, path: "/x\u001b[2J" };
    expect(formatOfflineTimeout({ request: forged, wrapperWroteLine: false }, PLAIN)).toMatch(
      /^ TIMEOUT {3}GET \/x\\x1b\[2J {2}504 {2}serverless-offline's timer for slow fired/,
    );
    expect(formatOfflineTimeout({ wrapperWroteLine: false }, PLAIN)).toMatch(
      /^ TIMEOUT {3}a request {2}504 {2}serverless-offline's timer fired before/,
    );
  });
});
