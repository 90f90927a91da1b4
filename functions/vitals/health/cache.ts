/**
 * A short-lived, single-flight memo: the reason a flood of health requests cannot become a flood
 * of calls to a dependency.
 */

import { monotonicMs } from "../runtime";

/**
 * Returns a function that calls `produce` at most once per `ttlMs`: callers that arrive while a
 * call is in flight share it (the first caller's argument is the one used), and callers within
 * `ttlMs` of its end get its result. A rejection is not kept, so the next caller tries again.
 * `ttlMs` 0 keeps nothing but still shares the call in flight.
 *
 * The memo lives as long as the returned function, which the health handler keeps for the life of
 * the process: it holds a result about the process and its dependencies, not an invocation's
 * data, so concurrent invocations sharing it is the point.
 *
 * @example
 * const report = cachedFor(10_000, (budgetMs: number) => runChecks(checks, { budgetMs, defaultTimeoutMs }));
 * await report(3000); // runs the checks
 * await report(3000); // within 10 s: the same report, no new calls
 */
export function cachedFor<A, T>(
  ttlMs: number,
  produce: (arg: A) => Promise<T>,
  now: () => number = monotonicMs,
): (arg: A) => Promise<T> {
  let inFlight: Promise<T> | undefined;
  let kept: { readonly value: T; readonly at: number } | undefined;
  return (arg) => {
    if (kept !== undefined && now() - kept.at < ttlMs) return Promise.resolve(kept.value);
    if (inFlight !== undefined) return inFlight;
    const call = Promise.resolve(arg)
      .then(produce)
      .then(
        (value) => {
          kept = { value, at: now() };
          inFlight = undefined;
          return value;
        },
        (error: unknown) => {
          inFlight = undefined;
          throw error;
        },
      );
    inFlight = call;
    return call;
  };
}
