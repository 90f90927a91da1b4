/**
 * How a check states what it observed: a rounded value, judged against warn and fail limits. The
 * runtime, CloudWatch and sibling checks all state theirs this way.
 */
import type { Observation } from "./checks";
import type { WarnFailLimits } from "./settings";

/**
 * A value rounded to `digits` decimals, as the health report shows it.
 *
 * @example
 * round(12.3456, 1); // 12.3
 */
export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Above `fail` fails, above `warn` warns: a threshold of 0 means "any at all". `explain` says
 * why, given the limit that was passed; a passing value needs no output.
 *
 * @example
 * judge(7.5, "percent", { warn: 1, fail: 5 }, (limit) => `error rate above ${limit} percent`);
 * // { status: "fail", observedValue: 7.5, observedUnit: "percent", output: "error rate above 5 percent" }
 */
export function judge(
  value: number,
  unit: string,
  limits: WarnFailLimits,
  explain: (limit: number) => string,
): Observation {
  const observed = { observedValue: value, observedUnit: unit };
  if (value > limits.fail) return { status: "fail", ...observed, output: explain(limits.fail) };
  if (value > limits.warn) return { status: "warn", ...observed, output: explain(limits.warn) };
  return { status: "pass", ...observed };
}
