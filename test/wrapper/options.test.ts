import { describe, expect, it } from "vitest";
import { withVitals } from "../../functions/vitals";
import { capturedEachTest, ok } from "./harness";

capturedEachTest(); // nothing here should write; whatever does stays out of the output

describe("options", () => {
  it.each([
    [{ namespace: "" }, /namespace must be 1-255/],
    [{ namespace: "AWS/Lambda" }, /reserved/],
    [{ namespace: ":x" }, /must not start with ":"/],
    [{ service: "caf\u00e9" }, /service: .*printable ASCII/],
    [{ service: "   " }, /service/],
    [{ timeoutMarginMs: -1 }, /timeoutMarginMs/],
    [{ timeoutMarginMs: Number.NaN }, /timeoutMarginMs/],
    [{ routes: "GET /x" }, /routes must be an array/],
    [{ routes: ["orders/{id}"] }, /expected "\[METHOD\] \/path/],
    [{ routes: ["FETCH /x"] }, /unknown method/],
    [{ routes: ["/a/{rest+}/b"] }, /\{name\+\} last/],
    [{ routes: ["/a/{id"] }, /expected/],
    [{ routes: [42] }, /expected/],
    [{ namespce: "typo" }, /unknown option "namespce"/],
    [{ serviceWide: "no" }, /serviceWide must be true or false/],
  ])("rejects %j with a clear error at wrap time", (bad, message) => {
    expect(() => withVitals(ok, bad as never)).toThrow(message);
  });

  it("rejects a handler that is not a function", () => {
    expect(() => withVitals(undefined as never)).toThrow(/needs a handler function/);
  });
});
