/**
 * The stack's resources (dashboard, alarms, roles) from the generator the Serverless plugin runs:
 * loaded the way infra/plugin.cjs loads it (infra/load.cjs builds infra/ into `.vitals/stack.cjs`,
 * with the contract import pointed at `custom.vitals.library`), and given what the plugin gives
 * it. The plugin applies its plan to new objects in its `initialize` hook, so `serverless print`
 * shows the configuration as written, and `planStack` on it is the plan the deploy applies: one
 * generator draws both dashboards.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Generator from "../infra/entry";
import type { ServiceTemplate } from "./service-template";

type Infra = typeof Generator;

/** The resources of a CloudFormation template, as far as the local tools read them. */
export type Resources = Readonly<
  Record<string, { readonly Type?: unknown; readonly Properties?: unknown }>
>;

/**
 * Loads the project's stack generator through infra/load.cjs, as the plugin does.
 *
 * @example
 * const infra = await loadGenerator({ root: process.cwd(), library: template.vitals.library });
 */
export async function loadGenerator(where: {
  readonly root: string;
  /** `custom.vitals.library`; the loader's default (`functions/vitals`) when absent. */
  readonly library: unknown;
}): Promise<Infra> {
  // load.cjs is CommonJS that finds infra/entry.ts beside itself: required from the project, not
  // bundled into the launcher.
  const load = createRequire(join(where.root, "package.json"))("./infra/load.cjs") as {
    loadInfra(options: { serviceDir: string; library?: string }): Promise<Infra>;
  };
  if (where.library !== undefined && typeof where.library !== "string") {
    throw new Error("custom.vitals.library must be a folder name");
  }
  return load.loadInfra({
    serviceDir: where.root,
    ...(where.library === undefined ? {} : { library: where.library }),
  });
}

/**
 * The generated resources for the printed service: `planStack` with the input infra/plugin.cjs
 * gives it (service, stage, region, provider, functions, custom.vitals). Throws what the plugin
 * would throw for the same configuration.
 *
 * @example
 * generatedResources(infra, template).VitalsDashboard?.Type; // "AWS::CloudWatch::Dashboard"
 */
export function generatedResources(infra: Infra, template: ServiceTemplate): Resources {
  return infra.planStack({
    service: template.service,
    stage: template.stage,
    region: template.region,
    provider: template.provider,
    functions: template.functions,
    vitals: template.vitals,
  }).resources.Resources;
}
