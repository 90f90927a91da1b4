/**
 * The one step from a service's resolved configuration to everything lambda-vitals adds to it:
 * each function's environment and role, the stack's resources, and what to warn about. It is
 * pure: the Serverless plugin (v3 and v4) applies the plan, and the local dashboard reads the
 * resources of the same plan, so neither changes or undoes the configuration it was given.
 */
import type { CfnFragment } from "./cfn";
import { record } from "./config-values";
import { functionEnvironment } from "./environment";
import { readServiceConfig, roleIdOf, type ServiceConfig } from "./service";
import { pageAlarmNames } from "./slo-alarms";
import { buildStack } from "./stack";

export type { ServiceConfig };

/** What one function gets. */
export interface FunctionPlan {
  /** The variables to add to its `environment`: those the service does not set itself. */
  readonly environment: Readonly<Record<string, string>>;
  /** The logical id of its generated role, for its `role:`; undefined with `custom.vitals.roles: false`. */
  readonly role: string | undefined;
}

export interface StackPlan {
  /** By function key, every function of the service. */
  readonly functions: Readonly<Record<string, FunctionPlan>>;
  /** To merge into the service's `resources`. */
  readonly resources: CfnFragment;
  /** What the service should know but need not fix. */
  readonly warnings: readonly string[];
}

/**
 * Plans what lambda-vitals adds to a service. Throws, with the setting to change in the message,
 * on what it cannot carry: a role given by ARN, an unknown event kind, a queue function without
 * its sqs permissions, functions that would write to different namespaces...
 *
 * @example
 * const plan = planStack({
 *   service: "shop", stage: "dev", region: "eu-west-1", provider: {},
 *   functions: { getOrder: { events: [{ httpApi: "GET /orders/{id}" }] } },
 *   vitals: {}, options: { param: ["alarmEmail=oncall@example.com"] },
 * });
 * plan.functions.getOrder; // { environment: { VITALS_NAMESPACE: "LambdaVitals/dev", ... }, role: "GetOrderRole" }
 * plan.resources.Resources.AlarmEmailSubscription?.Properties.Endpoint; // "oncall@example.com"
 */
export function planStack(config: ServiceConfig): StackPlan {
  const input = readServiceConfig(config);
  const environment = functionEnvironment(
    record(config.provider ?? {}, "provider"),
    record(config.functions ?? {}, "functions"),
    {
      ...input,
      budgetAlarms: input.objectives === undefined ? [] : pageAlarmNames(input, input.objectives),
    },
  );
  return {
    functions: Object.fromEntries(
      input.functions.map((fn) => [
        fn.key,
        {
          environment: environment[fn.key] ?? {},
          role: input.roles === false ? undefined : roleIdOf(fn),
        },
      ]),
    ),
    resources: buildStack(input),
    warnings: input.warnings,
  };
}
