/**
 * The timeout line's timer is kept by a wrapped handler from one invocation to the next and
 * re-armed with `refresh()`: each invocation still gets its line at its own deadline, overlapping
 * invocations each get theirs, and between invocations the timer holds nothing open.
 */
import { describe, expect, it, vi } from "vitest";
import { withVitals } from "../../functions/vitals";
import { lambdaContext } from "../fixtures/context";
import { httpApiEvent } from "../fixtures/events";
import { fakeClock } from "../fixtures/fake-clock";
import { capturedEachTest, ok, options, timersHoldingTheProcess } from "./harness";

const out = capturedEachTest();

/** Waits on the real clock, whichever clock the test has faked since this module loaded. */
const realSetTimeout = globalThis.setTimeout;
const realSleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

/** A handler that answers only when the test says so. */
function controlled() {
  const finishes: (() => void)[] = [];
  const handler = withVitals(
    () =>
      new Promise<{ statusCode: number }>((resolve) => {
        finishes.push(() => resolve({ statusCode: 200 }));
      }),
    options,
  );
  return { handler, finish: (i: number) => finishes[i]?.() };
}

function timeoutLatencies(): unknown[] {
  return out
    .documents()
    .filter((doc) => doc.Timeouts === 1)
    .map((doc) => doc.Latency);
}

/**
 * On a fake clock: one invocation with a `first` deadline that answers at once, then one that
 * outlives each of the `later` deadlines in turn; the timeout lines' latencies.
 */
async function latenciesAfter(first: number, later: number[]): Promise<unknown[]> {
  fakeClock();
  const { handler, finish } = controlled();
  const quick = handler(httpApiEvent(), lambdaContext({ timeoutMs: first }));
  finish(0);
  await quick;
  for (const [i, timeoutMs] of later.entries()) {
    const pending = handler(httpApiEvent(), lambdaContext({ timeoutMs }));
    await vi.advanceTimersByTimeAsync(timeoutMs);
    finish(i + 1);
    await pending;
  }
  return timeoutLatencies();
}

describe("the kept timer", () => {
  it("holds the process only while an invocation runs, each time it is re-armed", async () => {
    // Prepare: real timers, so that the process's own list of what keeps it alive is read
    const baseline = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const held = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const { handler, finish } = controlled();
    const during: number[] = [];
    const after: number[] = [];
    // Act: two invocations in turn, the second re-arming the first one's timer
    for (const i of [0, 1]) {
      const pending = handler(httpApiEvent(), lambdaContext({ timeoutMs: 60_000 }));
      during.push(held());
      finish(i);
      await pending;
      after.push(held());
    }
    // Assess
    expect(during).toEqual([baseline + 1, baseline + 1]);
    expect(after).toEqual([baseline, baseline]);
    expect(out.documents()).toHaveLength(2);
  });

  it("writes each invocation's timeout line at its own deadline, shorter or longer", async () => {
    // Prepare
    fakeClock();
    const { handler, finish } = controlled();
    // Act: a quick invocation, then three that outlive deadlines of 1 s, 0.5 s and 2 s
    const quick = handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    finish(0);
    await quick;
    const deadlines = [1000, 500, 2000];
    const early: number[] = [];
    for (const [i, timeoutMs] of deadlines.entries()) {
      const pending = handler(httpApiEvent(), lambdaContext({ timeoutMs }));
      await vi.advanceTimersByTimeAsync(timeoutMs * 0.9 - 1);
      early.push(timeoutLatencies().length);
      await vi.advanceTimersByTimeAsync(1);
      finish(i + 1);
      await pending;
    }
    // Assess: each line a tenth of its own deadline before it, none early
    expect(early).toEqual([0, 1, 2]);
    expect(timeoutLatencies()).toEqual([900, 450, 1800]);
    expect(out.documents()).toHaveLength(4);
  });

  it("serves a later deadline at most a tenth of the margin earlier than it asks", async () => {
    // Act: 1000 ms arms the timer for 900 (margin 100); 1005 asks for 904.5 (within 10.05 of 900:
    // re-armed), 1020 for 918 (a new timer)
    const latencies = await latenciesAfter(1000, [1005, 1020]);
    // Assess: 105 ms before its deadline (between 1 and 1.1 margins), then 102 ms before its own
    expect(latencies).toEqual([900, 918]);
  });

  it("is one timer for invocations in turn whose deadlines it serves", async () => {
    // Prepare
    fakeClock();
    const made = vi.spyOn(globalThis, "setTimeout");
    const { handler, finish } = controlled();
    // Act: three invocations in turn with the same deadline, the last one outlived
    for (const i of [0, 1, 2]) {
      const pending = handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
      if (i === 2) await vi.advanceTimersByTimeAsync(900);
      finish(i);
      await pending;
    }
    // Assess: made once, re-armed twice, and still on time
    expect(made).toHaveBeenCalledTimes(1);
    expect(timeoutLatencies()).toEqual([900]);
  });

  it("serves a deadline exactly a tenth of the margin later, and no later one", async () => {
    // Act: 3000 ms arms the timer for 2800 (margin 200, a tenth of it 20); 3020 asks for 2820
    // (20 later: re-armed, 2800), 3021 for 2821 (21 later: its own)
    const latencies = await latenciesAfter(3000, [3020, 3021]);
    // Assess
    expect(latencies).toEqual([2800, 2821]);
  });

  it("gives an invocation that overlaps the holder a timer of its own", async () => {
    // Prepare
    fakeClock();
    const holding = timersHoldingTheProcess();
    const { handler, finish } = controlled();
    // Act: the first holds the kept timer (1 s); the second starts 100 ms later (2 s)
    const first = handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(100);
    const second = handler(httpApiEvent(), lambdaContext({ timeoutMs: 2000 }));
    const bothArmed = holding();
    await vi.advanceTimersByTimeAsync(1900);
    finish(0);
    finish(1);
    await Promise.all([first, second]);
    // Act: a third, after both, re-arms the kept timer
    const third = handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    await vi.advanceTimersByTimeAsync(900);
    finish(2);
    await third;
    // Assess
    expect(bothArmed).toBe(2);
    expect(timeoutLatencies()).toEqual([900, 1800, 900]);
    expect(holding()).toBe(0);
  });

  it("still writes the holder's line when an invocation that overlapped it ends first", async () => {
    // Prepare
    fakeClock();
    const { handler, finish } = controlled();
    // Act: the first holds the kept timer (2 s); the second overlaps it and answers at once
    const first = handler(httpApiEvent(), lambdaContext({ timeoutMs: 2000 }));
    const second = handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    finish(1);
    await second;
    await vi.advanceTimersByTimeAsync(2000);
    finish(0);
    await first;
    // Assess: the second's line, then the first's timeout line at its own deadline
    expect(out.documents()).toHaveLength(2);
    expect(timeoutLatencies()).toEqual([1800]);
  });

  it("follows a test that fakes the clock, and one that puts the real clock back", async () => {
    // Prepare: one handler, first invoked on the real clock with a 100 ms deadline (armed for 90)
    const { handler, finish } = controlled();
    const first = handler(httpApiEvent(), lambdaContext({ timeoutMs: 100 }));
    finish(0);
    await first;
    fakeClock();
    // Act: on the fake clock, the same deadline, outlived; the first one's real timer comes due
    const second = handler(httpApiEvent(), lambdaContext({ timeoutMs: 100 }));
    await realSleep(150);
    const whenTheRealTimerCameDue = timeoutLatencies().length;
    await vi.advanceTimersByTimeAsync(90);
    finish(1);
    await second;
    // Act: the real clock back, the same deadline, outlived again
    vi.useRealTimers();
    const third = handler(httpApiEvent(), lambdaContext({ timeoutMs: 100 }));
    await realSleep(150);
    finish(2);
    await third;
    // Assess: the fake clock's line when that clock said so, then the real clock's
    expect(whenTheRealTimerCameDue).toBe(0);
    expect(timeoutLatencies()).toHaveLength(2);
    expect(timeoutLatencies()[0]).toBe(90);
    expect(out.documents()).toHaveLength(3);
  });

  it("writes one line for an overlapping invocation whose own timer outlives a clock switch", async () => {
    // Prepare: on the real clock, the first holds the kept timer (10 s); the second overlaps it
    // with 100 ms left, so it gets a real timer of its own (for 90 ms)
    const { handler, finish } = controlled();
    const first = handler(httpApiEvent(), lambdaContext({ timeoutMs: 10_000 }));
    const second = handler(httpApiEvent(), lambdaContext({ timeoutMs: 100 }));
    // Act: the test fakes the clock as @sinonjs/fake-timers does by default (Vitest sets
    // otherwise), then the second answers: the fake clearTimeout cannot clear its real timer,
    // which comes due later
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"], shouldClearNativeTimers: false });
    finish(1);
    await second;
    await realSleep(150);
    vi.useRealTimers();
    finish(0);
    await first;
    // Assess: the clear missed, yet each invocation wrote its one line, and none is a timeout
    expect(warn.mock.calls.join()).toContain("clear a native timer");
    expect(out.documents()).toHaveLength(2);
    expect(timeoutLatencies()).toEqual([]);
  });

  it("writes nothing when it fires between invocations", async () => {
    // Prepare
    fakeClock();
    const handler = withVitals(ok, options);
    // Act
    await handler(httpApiEvent(), lambdaContext({ timeoutMs: 1000 }));
    const idle = vi.getTimerCount();
    await vi.advanceTimersByTimeAsync(5000);
    // Assess: the timer was there, idle, and its firing added no line
    expect(idle).toBe(1);
    expect(out.documents()).toHaveLength(1);
    expect(out.documents()[0]).not.toHaveProperty("Timeouts");
  });
});
