"use strict";
/**
 * The lambda-vitals Serverless plugin (Serverless v3, and v4 as osls). Listed under `plugins:`,
 * it brings the rest in on its own, from the service's resolved configuration:
 * - every function gets `VITALS_NAMESPACE` and `VITALS_SERVICE`, unless the service sets them,
 *   and `VITALS_ROUTES` when `custom.vitals.routes` lists templates for it;
 * - every function gets a role of its own (`custom.vitals.roles`, default true), carrying what
 *   `provider.iam.role` granted to all of them, plus `custom.vitals.permissions.<function>`;
 * - the dashboard, the alarms and those roles join the service's `resources`.
 * What to add is one pure step, `planStack` (infra/plan.ts); this file only applies it. Anything
 * it cannot carry (a role given by ARN, an unknown event kind...) stops the command with a
 * message that says what to move where, printed as Serverless prints its own configuration
 * errors: without a stack trace.
 *
 * `serverless dashboard-url` prints the dashboard's console address (no AWS call), and so do
 * `serverless deploy` and `serverless info` when they finish.
 */
const { vitalsCommands } = require("./commands.cjs");
const { DEFAULT_LIBRARY, loadInfra, compiled } = require("./load.cjs");
// The thresholds' one table: the schema below must exist in the constructor, before anything is
// built, so the table is JSON that this file and infra/thresholds.ts both read.
const THRESHOLDS = require("./thresholds.json");
const OBJECTIVES = require("./objectives.json");

/** The Serverless majors this plugin is tested under: v3 (`serverless@3`) and v4 as osls. */
const SUPPORTED_MAJORS = ["3", "4"];
/** Set on the Serverless instance by the first lambda-vitals plugin it constructs. */
const LOADED = Symbol.for("lambda-vitals.plugin");

const number = { anyOf: [{ type: "number" }, { type: "string" }] };

/** `custom.vitals`, validated by Serverless itself before any hook runs. */
const CUSTOM_SCHEMA = {
  type: "object",
  properties: {
    library: { type: "string" },
    namespace: { type: "string" },
    roles: { type: "boolean" },
    alarms: {
      type: "object",
      properties: {
        ...Object.fromEntries(Object.keys(THRESHOLDS).map((name) => [name, number])),
        email: { type: "string" },
        ticketEmail: { type: "string" },
      },
      additionalProperties: false,
    },
    // false: no burn-rate alarms; a mapping: the objectives (infra/objectives.ts checks them)
    objectives: {
      anyOf: [
        { type: "boolean" },
        {
          type: "object",
          properties: {
            ...Object.fromEntries(
              Object.keys(OBJECTIVES).map((name) => [
                name,
                { anyOf: [{ type: "number" }, { type: "string" }, { type: "boolean" }] },
              ]),
            ),
            // a route's own objectives, by its row's name: infra/objectives.ts checks them
            routes: { type: "object", additionalProperties: { type: "object" } },
          },
          additionalProperties: false,
        },
      ],
    },
    permissions: { type: "object", additionalProperties: { type: "array" } },
    // the cardinality guard's budget and hard limit, in custom metrics (infra/cost-guard.ts)
    cost: {
      type: "object",
      properties: { metricBudget: number, metricLimit: number },
      additionalProperties: false,
    },
    routes: {
      type: "object",
      additionalProperties: { type: "array", items: { type: "string" } },
    },
  },
  additionalProperties: false,
};

/** The class is the shape the Serverless plugin guide documents; Serverless calls it with `new`. */
class VitalsPlugin {
  constructor(serverless, options, { log, writeText } = {}) {
    refuseUnsupported(serverless);
    refuseSecondCopy(serverless);
    this.serverless = serverless;
    this.options = options;
    this.log = log;
    this.writeText = writeText ?? ((text) => process.stdout.write(`${text}\n`));
    serverless.configSchemaHandler.defineCustomProperties({
      properties: { vitals: CUSTOM_SCHEMA },
    });
    const vitals = vitalsCommands(this);
    this.commands = {
      "dashboard-url": {
        usage: "Print the CloudWatch dashboard's console address for --stage and --region",
        lifecycleEvents: ["print"],
        options: {
          stage: { usage: "Stage of the service", shortcut: "s", type: "string" },
          region: { usage: "Region of the service", shortcut: "r", type: "string" },
        },
      },
      ...vitals.commands,
    };
    this.hooks = {
      ...vitals.hooks,
      // `initialize` runs first in every command, with the configuration resolved: the roles and
      // environment must be in place before packaging compiles the functions, and before
      // serverless-offline starts them.
      initialize: () => this.adopt(),
      "dashboard-url:print": async () => this.writeText(`dashboard: ${await this.dashboardUrl()}`),
      "after:deploy:deploy": async () =>
        this.log?.notice(`dashboard: ${await this.dashboardUrl()}`),
      "after:info:info": async () => this.writeText(`dashboard: ${await this.dashboardUrl()}`),
    };
  }

  /** Where the service is and what it says: the generator's input. */
  async config() {
    const service = this.serverless.service;
    const provider = this.serverless.getProvider("aws");
    const vitals = service.custom?.vitals ?? {};
    if (compiled && vitals.library !== undefined) {
      this.log?.warning(
        "lambda-vitals: custom.vitals.library is for a copied library folder; the package " +
          "(lambda-vitals/serverless) has its own. Remove the setting and the copied folder.",
      );
    }
    return {
      infra: await loadInfra({
        serviceDir: this.serverless.serviceDir ?? this.serverless.config.servicePath,
        library: vitals.library ?? DEFAULT_LIBRARY,
      }),
      input: {
        service: service.service,
        stage: provider.getStage(),
        region: provider.getRegion(),
        provider: service.provider,
        functions: service.functions ?? {},
        vitals,
        options: { param: this.options?.param },
      },
    };
  }

  async adopt() {
    const started = performance.now();
    const { infra, input } = await this.config();
    const plan = this.planned(() => infra.planStack(input));
    // the configuration as the service wrote it, for the commands (infra/commands.cjs)
    this.input = input;
    const service = this.serverless.service;
    // New function objects, not changed ones: `serverless print` prints the objects Serverless
    // read, so it shows the functions as the service wrote them, and the local dashboard can
    // call planStack on them just as this hook did.
    service.functions = Object.fromEntries(
      Object.entries(input.functions).map(([key, fn]) => {
        const { environment, role } = plan.functions[key] ?? { environment: {} };
        const adopted = { ...fn, environment: { ...fn.environment, ...environment } };
        return [key, role === undefined ? adopted : { ...adopted, role }];
      }),
    );
    service.resources = this.planned(() => merged(service.resources ?? {}, plan.resources));
    for (const warning of plan.warnings) this.log?.warning(`lambda-vitals: ${warning}`);
    // `--verbose` shows what lambda-vitals adds to every command's start
    const ms = Math.round(performance.now() - started);
    this.log?.info(`lambda-vitals: roles, environment and stack ready in ${ms} ms`);
    this.log?.info(`lambda-vitals: ${described(plan.resources.Resources)}`);
  }

  /**
   * Runs a step that refuses configuration it cannot carry. Its message says what to change, so
   * it is thrown as Serverless' own error class, which v3 and osls print without a stack trace;
   * the trace is still there with `--verbose`, for a bug of ours.
   */
  planned(step) {
    try {
      return step();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      this.log?.verbose(error.stack ?? String(error));
      throw new this.serverless.classes.Error(error.message, "LAMBDA_VITALS_CONFIGURATION");
    }
  }

  async dashboardUrl() {
    const { infra, input } = await this.config();
    return infra.dashboardUrl(input);
  }
}

/** What the stack adds, counted from the resources themselves: docs write no count of their own. */
function described(resources) {
  const count = (...types) =>
    Object.values(resources).filter((resource) => types.includes(resource.Type)).length;
  const alarms = count("AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm");
  const composites = count("AWS::CloudWatch::CompositeAlarm");
  const notifying = Object.entries(resources)
    .filter(([, resource]) => resource.Properties?.AlarmActions !== undefined)
    .map(([id]) => id)
    .sort();
  const roles = count("AWS::IAM::Role");
  return (
    `${alarms} alarms (${composites} of them composite; ${notifying.join(" and ")} notify), ` +
    `${roles} roles, 1 dashboard`
  );
}

/** Stops at once under a Serverless the plugin was not built for, naming the ones it was. */
function refuseUnsupported(serverless) {
  const version = String(serverless.version ?? "");
  if (SUPPORTED_MAJORS.includes(version.split(".")[0])) return;
  throw new serverless.classes.Error(
    `lambda-vitals supports Serverless Framework v3 (serverless@3) and v4 as osls (osls@4); ` +
      `this is Serverless ${version || "of an unknown version"}.`,
  );
}

/**
 * A service that lists the package's plugin and still has the copied one would get two dashboards
 * and two sets of alarms: the second copy stops the command, saying which line to remove.
 */
function refuseSecondCopy(serverless) {
  if (serverless[LOADED] === undefined) {
    serverless[LOADED] = true;
    return;
  }
  throw new serverless.classes.Error(
    "lambda-vitals is listed twice under plugins (the package's lambda-vitals/serverless and a " +
      "copied ./infra/plugin.cjs). Keep lambda-vitals/serverless, remove the other line, and " +
      "delete the copied infra/ and functions/vitals/ folders (docs/existing-services.md).",
  );
}

/**
 * The service's own resources with the generated ones beside them. A logical id both define is
 * refused: one would silently replace the other.
 */
function merged(resources, generated) {
  const result = { ...resources };
  for (const section of ["Conditions", "Resources", "Outputs"]) {
    const own = resources[section] ?? {};
    for (const id of Object.keys(generated[section])) {
      if (id in own) {
        throw new Error(
          `resources.${section}.${id}: lambda-vitals generates this logical id; rename yours.`,
        );
      }
    }
    result[section] = { ...own, ...generated[section] };
  }
  return result;
}

module.exports = VitalsPlugin;
