/**
 * The runtime's own health: how long this execution environment has lived, how much of the
 * configured memory it uses, and whether this is its first health run (a cold start). Cheap,
 * local and synchronous: no dependency is touched.
 */
import type { HealthCheck } from "./checks";
import { round } from "./observed";

/** Above this share of the configured memory, the environment is close to being killed. */
const MEMORY_WARN_PERCENT = 90;
const MIB = 1024 * 1024;

// A cold-start flag, the one kind of mutable module state the library allows: it describes the
// process, not an invocation.
let firstRun = true;

/**
 * `runtime:uptime` (s), `runtime:memoryUtilization` (percent of `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`,
 * `warn` from 90 %) and `runtime:coldStart` (true on the process's first health run).
 *
 * @example
 * const checks = [...runtimeChecks(), ...cloudWatchChecks(settings)];
 */
export function runtimeChecks(): HealthCheck[] {
  return [
    {
      name: "runtime:uptime",
      onFailure: "warn",
      run: () => ({ observedValue: round(process.uptime(), 1), observedUnit: "s" }),
    },
    {
      name: "runtime:memoryUtilization",
      onFailure: "warn",
      run: () => memoryObservation(process.memoryUsage.rss(), process.env),
    },
    {
      name: "runtime:coldStart",
      onFailure: "warn",
      run: () => {
        const cold = firstRun;
        firstRun = false;
        return { observedValue: cold };
      },
    },
  ];
}

/** Memory used against the configured size; in MiB alone when the size is unknown (tests, scripts). */
export function memoryObservation(
  rssBytes: number,
  env: Readonly<Record<string, string | undefined>>,
): { status: "pass" | "warn"; observedValue: number; observedUnit: string; output?: string } {
  const usedMib = rssBytes / MIB;
  const configuredMib = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  if (!Number.isFinite(configuredMib) || configuredMib <= 0) {
    return { status: "pass", observedValue: round(usedMib, 1), observedUnit: "MiB" };
  }
  const percent = (usedMib / configuredMib) * 100;
  if (percent < MEMORY_WARN_PERCENT) {
    return { status: "pass", observedValue: round(percent, 1), observedUnit: "percent" };
  }
  return {
    status: "warn",
    observedValue: round(percent, 1),
    observedUnit: "percent",
    output: `${Math.round(usedMib)} of ${configuredMib} MiB in use`,
  };
}
