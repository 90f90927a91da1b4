/**
 * Health checks as plain objects, and how a set of them runs: in parallel, each within its own
 * timeout and all within one budget, so a hanging dependency becomes a status, never a hung
 * request. The worst status wins.
 */

import { monotonicMs } from "../runtime";

export type HealthStatus = "pass" | "warn" | "fail";

/** What a check saw. A check that returns decides its own status (default `pass`). */
export interface Observation {
  readonly status?: HealthStatus;
  /** A number, string or boolean; null when there is nothing to observe (no traffic). */
  readonly observedValue?: number | string | boolean | null;
  /** Free text, as in the IETF draft: `ms`, `s`, `percent`, `MiB`. */
  readonly observedUnit?: string;
  /** A short, safe explanation for the caller. Never a raw error message or a secret. */
  readonly output?: string;
}

export interface HealthCheck {
  /** The key in the response's `checks` and the `Check` dimension: `component:measurement`. */
  readonly name: string;
  /** The status when the check throws or times out, i.e. when it cannot tell. */
  readonly onFailure: "warn" | "fail";
  /** Default: the `checkTimeoutMs` setting. Never longer than the run's budget. */
  readonly timeoutMs?: number;
  /** Aborted when the check runs out of time: pass it on to the client you call. */
  readonly run: (signal: AbortSignal) => Promise<Observation> | Observation;
}

export interface CheckResult {
  readonly name: string;
  readonly status: HealthStatus;
  readonly observedValue?: number | string | boolean | null;
  readonly observedUnit?: string;
  readonly output?: string;
  /** When the check finished, ISO 8601. */
  readonly time: string;
  readonly durationMs: number;
  /** Why a check threw, for the log line only: it never reaches the response. */
  readonly detail?: string;
}

export interface HealthReport {
  readonly status: HealthStatus;
  readonly results: readonly CheckResult[];
}

const RANK: Readonly<Record<HealthStatus, number>> = { pass: 0, warn: 1, fail: 2 };
const MAX_OUTPUT = 200;

/**
 * The overall status: the worst of the given ones, `pass` when there are none.
 *
 * @example
 * worstStatus(["pass", "warn", "pass"]); // "warn"
 */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = "pass";
  for (const status of statuses) if (RANK[status] > RANK[worst]) worst = status;
  return worst;
}

/**
 * Runs every check at once. Each gets `min(check.timeoutMs ?? defaultTimeoutMs, budgetMs)`; one
 * that throws or runs out of time gets its `onFailure` status. Never rejects, and settles within
 * the budget whatever the checks do.
 *
 * @example
 * const report = await runChecks([dbCheck, ...runtimeChecks()], { budgetMs: 3000, defaultTimeoutMs: 2000 });
 * report.status; // "pass" | "warn" | "fail"
 */
export async function runChecks(
  checks: readonly HealthCheck[],
  limits: { readonly budgetMs: number; readonly defaultTimeoutMs: number },
): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map((check) =>
      runCheck(
        check,
        Math.max(0, Math.min(check.timeoutMs ?? limits.defaultTimeoutMs, limits.budgetMs)),
      ),
    ),
  );
  return { status: worstStatus(results.map((r) => r.status)), results };
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = monotonicMs();
  // No time at all: not even started. A check's first run may load a client (the CloudWatch
  // SDK), which holds the event loop longer than an invocation with no time left has.
  if (timeoutMs === 0) {
    return {
      name: check.name,
      status: check.onFailure,
      output: "timed out after 0 ms",
      time: new Date().toISOString(),
      durationMs: 0,
    };
  }
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timed out">((resolve) => {
    timer = setTimeout(resolve, timeoutMs, "timed out");
  });
  const finished = (fields: Omit<CheckResult, "name" | "time" | "durationMs">): CheckResult => ({
    name: check.name,
    ...fields,
    time: new Date().toISOString(),
    durationMs: Math.round(monotonicMs() - started),
  });
  try {
    // `then` turns a synchronous throw inside `run` into a rejection like any other.
    const outcome = await Promise.race([
      Promise.resolve().then(() => check.run(controller.signal)),
      timedOut,
    ]);
    if (outcome === "timed out") {
      controller.abort(new Error(`${check.name} timed out after ${timeoutMs} ms`));
      return finished({ status: check.onFailure, output: `timed out after ${timeoutMs} ms` });
    }
    return finished(observed(outcome));
  } catch (error) {
    return finished({
      status: check.onFailure,
      output: `failed (${errorName(error)})`,
      detail: clip(errorText(error)),
    });
  } finally {
    clearTimeout(timer);
  }
}

/** Keeps only the IETF fields, with a status from the known three and a short output. */
function observed(outcome: unknown): Omit<CheckResult, "name" | "time" | "durationMs"> {
  const o = (typeof outcome === "object" && outcome !== null ? outcome : {}) as Observation;
  const status: HealthStatus =
    o.status === "warn" || o.status === "fail" || o.status === "pass" ? o.status : "pass";
  const value = o.observedValue;
  return {
    status,
    ...(isObservedValue(value)
      ? { observedValue: typeof value === "string" ? clip(value) : value }
      : {}),
    ...(typeof o.observedUnit === "string" ? { observedUnit: clip(o.observedUnit) } : {}),
    ...(typeof o.output === "string" && o.output !== "" ? { output: clip(o.output) } : {}),
  };
}

function isObservedValue(value: unknown): value is number | string | boolean | null {
  if (typeof value === "number") return Number.isFinite(value);
  return value === null || typeof value === "string" || typeof value === "boolean";
}

/** An error's class name, if it looks like one: safe to show, unlike its message. */
function errorName(error: unknown): string {
  const name = error instanceof Error ? error.name : undefined;
  return typeof name === "string" && /^[A-Za-z][\w.]{0,63}$/.test(name) ? name : "Error";
}

function errorText(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return "unprintable error";
  }
}

function clip(text: string): string {
  const printable = text.replace(/\p{Cc}+/gu, " ");
  return printable.length > MAX_OUTPUT ? `${printable.slice(0, MAX_OUTPUT - 1)}…` : printable;
}
