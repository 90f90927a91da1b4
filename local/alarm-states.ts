/**
 * The hook through which the dashboard page's alarm widgets get their states. The alarm
 * evaluator (issue 10) computes them from the same store; until it is wired in, `noEvaluator`
 * says so honestly instead of showing a state nobody computed.
 */
import type { MetricStore } from "./metric-store";

/** An alarm of the generated stack, as CloudFormation would create it. */
export interface AlarmResource {
  /** The logical id (`ErrorRateAlarm`). */
  readonly id: string;
  /** `AlarmName`, or the logical id when the template leaves it to CloudFormation. */
  readonly name: string;
  readonly type: string;
  /** The resource's `Properties`, placeholders resolved. */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** What an alarm widget shows for one alarm. */
export interface AlarmView {
  readonly id: string;
  readonly name: string;
  readonly state: "OK" | "ALARM" | "INSUFFICIENT_DATA" | "no evaluator";
  readonly reason: string;
}

/** Computes every alarm's current state from the store at time `now` (ms). */
export type AlarmEvaluator = (
  alarms: readonly AlarmResource[],
  store: MetricStore,
  now: number,
) => AlarmView[];

/**
 * The evaluator used while none is wired in: every alarm is listed, none is given a state.
 *
 * @example
 * noEvaluator(alarms, store, Date.now())[0]?.state; // "no evaluator"
 */
export const noEvaluator: AlarmEvaluator = (alarms) =>
  alarms.map((alarm) => ({
    id: alarm.id,
    name: alarm.name,
    state: "no evaluator",
    reason: "the local alarm evaluator is not wired into npm start yet",
  }));
