/**
 * The environment the plugin gives each function, so that the wrapper writes the namespace and
 * `Service` the dashboard and alarms read, uses the route templates serverless.yml lists for it,
 * and the health function reads the `AWS/Lambda` errors of every other function. What the
 * service sets itself is kept, and checked where two settings could disagree.
 */
import {
  BUDGET_ALARMS_VARIABLE,
  NAMESPACE_VARIABLE,
  ROUTES_VARIABLE,
  SERVICE_VARIABLE,
  SIBLINGS_VARIABLE,
} from "../functions/vitals/contract";
import { record } from "./config-values";

/** The key of the function that runs the health checks on a schedule and writes `Health`. */
export const HEALTH_FUNCTION_KEY = "health";

/** What the environment needs to know of each function. */
export interface EnvironmentFunction {
  readonly key: string;
  readonly name: string;
  /** `custom.vitals.routes.<key>`: empty when the function has none. */
  readonly templates: readonly string[];
}

/**
 * The variables each function needs and the service does not set itself (under the function or
 * `provider.environment`), by function key.
 *
 * @example
 * functionEnvironment({}, { getOrder: {}, health: {} }, { namespace: "Shop/dev", service: "shop",
 *   functions: [{ key: "getOrder", name: "shop-dev-getOrder", templates: [] },
 *     { key: "health", name: "shop-dev-health", templates: [] }] });
 * // { getOrder: { VITALS_NAMESPACE: "Shop/dev", VITALS_SERVICE: "shop" },
 * //   health: { VITALS_NAMESPACE: "Shop/dev", VITALS_SERVICE: "shop",
 * //             HEALTH_SIBLING_FUNCTIONS: "shop-dev-getOrder" } }
 */
export function functionEnvironment(
  provider: Readonly<Record<string, unknown>>,
  functions: Readonly<Record<string, unknown>>,
  input: {
    readonly namespace: string;
    readonly service: string;
    readonly functions: readonly EnvironmentFunction[];
    /** The burn-rate pairs that page, for the health function's `service:errorBudget` check. */
    readonly budgetAlarms?: readonly string[];
  },
): Record<string, Record<string, string>> {
  const shared = environmentOf(provider, "provider");
  const wanted = { [NAMESPACE_VARIABLE]: input.namespace, [SERVICE_VARIABLE]: input.service };
  const siblings = input.functions
    .filter((fn) => fn.key !== HEALTH_FUNCTION_KEY)
    .map((fn) => fn.name)
    .join(",");
  return Object.fromEntries(
    input.functions.map((fn) => {
      const own = environmentOf(
        record(functions[fn.key], `functions.${fn.key}`),
        `functions.${fn.key}`,
      );
      // A sibling list the service writes itself is kept; readServiceConfig has checked it is exact.
      const needs: Record<string, string> = { ...wanted };
      if (fn.key === HEALTH_FUNCTION_KEY) {
        needs[SIBLINGS_VARIABLE] = siblings;
        const budget = input.budgetAlarms ?? [];
        if (budget.length > 0) needs[BUDGET_ALARMS_VARIABLE] = budget.join(",");
      }
      if (fn.templates.length > 0) needs[ROUTES_VARIABLE] = JSON.stringify(fn.templates);
      const missing = Object.entries(needs).filter(
        ([name]) => own[name] === undefined && shared[name] === undefined,
      );
      return [fn.key, Object.fromEntries(missing)];
    }),
  );
}

/**
 * The namespace and service the functions will write: what the service's environment sets,
 * else the defaults. One dashboard reads one namespace and one service, so functions that would
 * write different ones are refused.
 *
 * @example
 * writtenIdentity({}, [["getOrder", {}]], { namespace: "Shop/dev", service: "shop" });
 * // { namespace: "Shop/dev", service: "shop" }
 */
export function writtenIdentity(
  provider: Readonly<Record<string, unknown>>,
  functions: readonly (readonly [string, unknown])[],
  defaults: { readonly namespace: string; readonly service: string },
): { namespace: string; service: string } {
  const shared = environmentOf(provider, "provider");
  const pick = (variable: string, fallback: string, setting: string): string => {
    const values = new Map<string, string>();
    for (const [key, fn] of functions) {
      const own = environmentOf(record(fn, `functions.${key}`), `functions.${key}`);
      const value = own[variable] ?? shared[variable] ?? fallback;
      const where =
        own[variable] !== undefined ? `functions.${key}.environment` : "provider.environment";
      if (!values.has(value)) values.set(value, where);
    }
    if (values.size > 1) {
      const listed = [...values].map(([value, where]) => `"${value}" (${where})`).join(", ");
      throw new Error(
        `${variable}: the functions would write ${listed}; one dashboard reads one value. ` +
          `Set it once under provider.environment, or remove it and let ${setting} decide.`,
      );
    }
    return values.keys().next().value ?? fallback;
  };
  return {
    namespace: pick(NAMESPACE_VARIABLE, defaults.namespace, "custom.vitals.namespace"),
    service: pick(SERVICE_VARIABLE, defaults.service, "the service name"),
  };
}

/** The string variables of a function's or the provider's `environment`. */
export function environmentOf(
  owner: Readonly<Record<string, unknown>>,
  where: string,
): Record<string, string> {
  const environment = record(owner.environment ?? {}, `${where}.environment`);
  return Object.fromEntries(
    Object.entries(environment).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
}
