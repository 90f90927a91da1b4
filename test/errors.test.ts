import { describe, expect, it } from "vitest";
import { HttpError } from "../functions/vitals";
import { toFailure } from "../functions/vitals/errors";

describe("HttpError", () => {
  it("exposes messages of 4xx errors and hides those of 5xx errors by default", () => {
    expect(new HttpError(404, "gone").expose).toBe(true);
    expect(new HttpError(500, "db down").expose).toBe(false);
    expect(new HttpError(503, "later", { expose: true }).expose).toBe(true);
  });

  it("is a real Error with a cause", () => {
    const cause = new Error("root");
    const error = new HttpError(502, "upstream", { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe("HttpError");
    expect(error.stack).toContain("HttpError");
  });

  it("says its reason phrase when given no message", () => {
    expect(new HttpError(404).message).toBe("Not Found");
    expect(new HttpError(429).message).toBe("Too Many Requests");
    expect(new HttpError(418).message).toBe("Client Error");
    expect(toFailure(new HttpError(404))).toMatchObject({
      status: 404,
      publicMessage: "Not Found",
    });
  });

  it.each([200, 399, 600, 404.5, Number.NaN])("rejects status %s", (status) => {
    expect(() => new HttpError(status, "x")).toThrow(/400 to 599/);
  });
});

describe("toFailure", () => {
  it("classifies thrown values", () => {
    expect(toFailure(new HttpError(409, "conflict"))).toEqual({
      status: 409,
      publicMessage: "conflict",
      type: "HttpError",
      message: "conflict",
    });
    expect(toFailure(new RangeError("bad"))).toMatchObject({
      status: 500,
      publicMessage: undefined,
    });
    expect(toFailure({ statusCode: 429, expose: true, message: "slow down" }).status).toBe(429);
    expect(toFailure({ statusCode: 429 }).status).toBe(500); // not http-errors shaped
    expect(toFailure("text")).toMatchObject({ status: 500, type: "string", message: "text" });
  });

  it("clips long messages", () => {
    expect(toFailure(new Error("x".repeat(5000))).message.length).toBeLessThan(600);
  });
});
