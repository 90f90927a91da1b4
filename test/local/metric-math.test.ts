import { describe, expect, it } from "vitest";
import { parseMathExpression } from "../../local";

describe("metric math, one period at a time", () => {
  it("computes the guarded error rate the alarms use", () => {
    // Prepare
    const rate = parseMathExpression("IF(requests >= 5, 100 * errors / requests, 0)");

    // Act and assess
    expect(rate.ids).toEqual(["requests", "errors"]);
    expect(rate.evaluate({ requests: 20, errors: 1 })).toBe(5);
    expect(rate.evaluate({ requests: 4, errors: 4 })).toBe(0);
    expect(rate.evaluate({ requests: undefined, errors: undefined })).toBeUndefined();
  });

  it("binds * / before + -, comparisons before AND before OR, and honours parentheses", () => {
    expect(parseMathExpression("1 + 2 * 3").evaluate({})).toBe(7);
    expect(parseMathExpression("(1 + 2) * 3").evaluate({})).toBe(9);
    expect(parseMathExpression("-a + 10").evaluate({ a: 4 })).toBe(6);
    expect(parseMathExpression("a > 1 AND b < 1 OR c == 3").evaluate({ a: 0, b: 0, c: 3 })).toBe(1);
    expect(parseMathExpression("a > 1 && NOT b || !c").evaluate({ a: 2, b: 0, c: 1 })).toBe(1);
    expect(parseMathExpression("a != 1").evaluate({ a: 1 })).toBe(0);
  });

  it("has no datapoint where an operand has none or a division is by zero", () => {
    expect(parseMathExpression("a + b").evaluate({ a: 1, b: undefined })).toBeUndefined();
    expect(parseMathExpression("a / b").evaluate({ a: 1, b: 0 })).toBeUndefined();
  });

  it("fills a missing datapoint with FILL, and drops it with a two-argument IF", () => {
    expect(parseMathExpression("FILL(a, 0) + 1").evaluate({ a: undefined })).toBe(1);
    expect(parseMathExpression("IF(a > 1, a)").evaluate({ a: 0 })).toBeUndefined();
    expect(parseMathExpression("IF(a > 1, a)").evaluate({ a: 2 })).toBe(2);
  });

  it("refuses what it does not implement, and ids it was not given", () => {
    expect(() => parseMathExpression("SUM(a)")).toThrow(/function SUM is not supported/);
    expect(() => parseMathExpression("a +")).toThrow(/expected more/);
    expect(() => parseMathExpression("a $ b")).toThrow(/cannot read/);
    expect(() => parseMathExpression("IF(a)")).toThrow(/IF takes 2 or 3 arguments/);
    expect(() => parseMathExpression("a + b").evaluate({ a: 1 })).toThrow(/no metric with id b/);
  });
});
