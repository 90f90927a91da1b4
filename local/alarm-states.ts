/**
 * The states the dashboard page's alarm widgets show, computed by the local alarm evaluator
 * (`local/alarm-evaluator.ts`) from the same store as the charts: each alarm replayed minute by
 * minute over the last half hour, as CloudWatch would have evaluated it, and its state after the
 * last complete minute.
 */
import { replayAlarms } from "./alarm-evaluator";
import { type MetricStore, MINUTE_MS } from "./metric-store";

/** An alarm of the generated stack, as CloudFormation would create it. */
export interface DeployedAlarm {
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
  readonly state: "OK" | "ALARM" | "INSUFFICIENT_DATA" | "no evaluator" | "not evaluated";
  readonly reason: string;
}

/** Computes every alarm's current state from the store at time `now` (ms). */
export type AlarmEvaluator = (
  alarms: readonly DeployedAlarm[],
  store: MetricStore,
  now: number,
) => AlarmView[];

/**
 * An evaluator that evaluates nothing, for servers and tests that draw the page without alarm
 * states (`npm start` gives `replayEvaluator`): every alarm is listed, none is given a state.
 *
 * @example
 * noEvaluator(alarms, store, Date.now())[0]?.state; // "no evaluator"
 */
export const noEvaluator: AlarmEvaluator = (alarms) =>
  alarms.map((alarm) => ({
    id: alarm.id,
    name: alarm.name,
    state: "no evaluator",
    reason: "this server was started without an alarm evaluator",
  }));

/**
 * How many minutes are replayed: more than any M-out-of-N sequence of the generated alarms. A
 * burn-rate window of hours or days still reads its whole period of data at each minute.
 */
const REPLAY_MINUTES = 30;

/**
 * Replays every alarm over the last half hour and reports its state after the last complete
 * minute. `{ Ref: X }` dimensions (the HTTP API's id) resolve to the logical id `X`: nothing local
 * writes those AWS series, so such alarms see what AWS would see without traffic. An alarm the
 * evaluator refuses is listed as "not evaluated", with its reason.
 *
 * @example
 * replayEvaluator(dashboard.alarms, store, Date.now())[0]; // { id: "ErrorRateAlarm", state: "OK", ... }
 */
export const replayEvaluator: AlarmEvaluator = (alarms, store, now) => {
  const start = Math.floor(now / MINUTE_MS) * MINUTE_MS - REPLAY_MINUTES * MINUTE_MS;
  const resources = Object.fromEntries(
    alarms.map((alarm) => [alarm.id, { Type: alarm.type, Properties: { ...alarm.properties } }]),
  );
  const refs = Object.fromEntries(
    refsIn(alarms.map((alarm) => alarm.properties)).map((ref) => [ref, ref]),
  );
  const replay = (only: Record<string, { Type: string; Properties: Record<string, unknown> }>) =>
    replayAlarms(only, store, { start, minutes: REPLAY_MINUTES, refs });
  let timeline: Record<string, readonly string[]>;
  let failure: string | undefined;
  try {
    timeline = replay(resources);
  } catch (error) {
    // One alarm the evaluator refuses must not hide the others: evaluate them one by one.
    failure = error instanceof Error ? error.message : String(error);
    timeline = {};
    for (const [id, resource] of Object.entries(resources)) {
      if (resource.Type !== "AWS::CloudWatch::Alarm") continue;
      try {
        Object.assign(timeline, replay({ [id]: resource }));
      } catch {
        // reported below with the first failure's reason
      }
    }
  }
  return alarms.map((alarm) => {
    const state = timeline[alarm.id]?.at(-1);
    if (state === "OK" || state === "ALARM" || state === "INSUFFICIENT_DATA") {
      return {
        id: alarm.id,
        name: alarm.name,
        state,
        reason: `replayed over the last ${REPLAY_MINUTES} min of local data`,
      };
    }
    return {
      id: alarm.id,
      name: alarm.name,
      state: "not evaluated",
      reason: failure ?? "the evaluator gave no state",
    };
  });
};

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== "object" || value === null) return [];
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === "string") return [ref];
  return Object.values(value).flatMap(refsIn);
}
