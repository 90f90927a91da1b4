/** The health cache: one call per TTL, shared while in flight, failures not kept. */
import { describe, expect, it } from "vitest";
import { cachedFor } from "../functions/vitals/health/cache";

function counter() {
  let calls = 0;
  let clock = 0;
  return {
    calls: () => calls,
    advance: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
    produce: async (arg: string) => {
      calls++;
      return `${arg}#${calls}`;
    },
  };
}

describe("cachedFor", () => {
  it("reuses a result within the TTL", async () => {
    // Prepare
    const c = counter();
    const cached = cachedFor(10_000, c.produce, c.now);

    // Act
    const first = await cached("a");
    c.advance(9_999);
    const second = await cached("b");

    // Assess
    expect([first, second]).toEqual(["a#1", "a#1"]);
    expect(c.calls()).toBe(1);
  });

  it("calls again once the TTL has passed", async () => {
    // Prepare
    const c = counter();
    const cached = cachedFor(10_000, c.produce, c.now);
    await cached("a");

    // Act
    c.advance(10_000);
    const again = await cached("b");

    // Assess
    expect(again).toBe("b#2");
    expect(c.calls()).toBe(2);
  });

  it("shares one call among callers that arrive while it runs", async () => {
    // Prepare
    let release: (value: string) => void = () => {};
    let calls = 0;
    const cached = cachedFor(0, () => {
      calls++;
      return new Promise<string>((resolve) => {
        release = resolve;
      });
    });

    // Act
    const all = Promise.all([cached(undefined), cached(undefined), cached(undefined)]);
    await Promise.resolve();
    release("shared");

    // Assess
    expect(await all).toEqual(["shared", "shared", "shared"]);
    expect(calls).toBe(1);
  });

  it("keeps nothing with a TTL of 0", async () => {
    // Prepare
    const c = counter();
    const cached = cachedFor(0, c.produce, c.now);

    // Act
    await cached("a");
    await cached("b");

    // Assess
    expect(c.calls()).toBe(2);
  });

  it("does not keep a failure: the next caller tries again", async () => {
    // Prepare
    let calls = 0;
    const cached = cachedFor(60_000, async () => {
      calls++;
      if (calls === 1) throw new Error("first call fails");
      return "ok";
    });

    // Act
    const first = cached(undefined);
    await expect(first).rejects.toThrow("first call fails");
    const second = await cached(undefined);

    // Assess
    expect(second).toBe("ok");
    expect(calls).toBe(2);
  });
});
