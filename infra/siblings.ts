/**
 * The health function reads the `AWS/Lambda` Errors of the service's other functions, named in
 * its `HEALTH_SIBLING_FUNCTIONS` environment variable. A list that misses a function would leave
 * that function's crashes out of `/health`, so packaging refuses a list that is not exact.
 */

import { SIBLINGS_VARIABLE } from "../functions/vitals/contract";

/**
 * Why the health function's sibling list is wrong, or undefined when it is right or absent
 * (without it, the health check reads no siblings).
 *
 * @example
 * siblingListProblem({ key: "health", environment: { HEALTH_SIBLING_FUNCTIONS: "shop-dev-a" } },
 *   ["shop-dev-a", "shop-dev-b"]);
 * // 'functions.health.environment.HEALTH_SIBLING_FUNCTIONS misses shop-dev-b: set it to "shop-dev-a,shop-dev-b"'
 */
export function siblingListProblem(
  health: { readonly key: string; readonly environment: unknown },
  others: readonly string[],
): string | undefined {
  const environment = health.environment;
  if (typeof environment !== "object" || environment === null) return undefined;
  const value = (environment as Record<string, unknown>)[SIBLINGS_VARIABLE];
  if (value === undefined) return undefined;
  const where = `functions.${health.key}.environment.${SIBLINGS_VARIABLE}`;
  const expected = `set it to "${others.join(",")}"`;
  if (typeof value !== "string") return `${where} must be a comma-separated list: ${expected}`;
  const listed = value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const missing = others.filter((name) => !listed.includes(name));
  const unknown = listed.filter((name) => !others.includes(name));
  if (missing.length > 0) return `${where} misses ${missing.join(", ")}: ${expected}`;
  if (unknown.length > 0)
    return `${where} names no function of this service: ${unknown.join(", ")}: ${expected}`;
  return undefined;
}
