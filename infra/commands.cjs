"use strict";
/**
 * The `serverless vitals` commands and the cost line of `package` and `deploy`, for the plugin
 * (infra/plugin.cjs) to register. Everything they compute comes from the generator the plugin
 * loads (infra/cost*.ts, infra/report*.ts); this file only reads options and prints.
 *
 * - `serverless vitals cost [--requests-per-month N] [--health-requests-per-minute N] [--json]`
 *   prints the monthly CloudWatch cost of the stack, item by item (no AWS call).
 * - `serverless package` and `serverless deploy` (which packages first) print the total on one
 *   line when packaging starts, warn when the custom metrics exceed
 *   `custom.vitals.cost.metricBudget`, and stop above `metricLimit` before anything is built.
 */

const text = { type: "string" };

/**
 * @param {{ serverless: any, options: Record<string, unknown>, log?: any, stack?: unknown,
 *   writeText: (text: string) => void, config: () => Promise<{ infra: any, input: any }> }} plugin
 */
function vitalsCommands(plugin) {
  /** The estimate from the service's resources as the plugin merged them, and its settings. */
  const estimate = async (raw = {}) => {
    const { infra, input } = await plugin.config();
    // `initialize` read it before it gave the functions their roles; read again, that would fail
    const stack = plugin.stack ?? infra.readServiceConfig(input);
    const settings = infra.costSettings(input);
    const own = plugin.serverless.service.resources?.Resources;
    // After `initialize` the service's resources hold the generated ones beside its own alarms.
    const resources = own?.VitalsDashboard ? own : infra.buildStack(stack).Resources;
    const options = infra.costOptions(raw, infra.DEFAULT_COST_OPTIONS);
    return { infra, settings, estimate: infra.estimateCost(resources, stack, settings, options) };
  };
  return {
    commands: {
      vitals: {
        usage: "lambda-vitals: what the stack costs, and what it measured",
        commands: {
          cost: {
            usage:
              "Print the stack's monthly CloudWatch cost, item by item (us-east-1 list prices)",
            lifecycleEvents: ["print"],
            options: {
              stage: { usage: "Stage of the service", shortcut: "s", ...text },
              region: { usage: "Region of the service", shortcut: "r", ...text },
              "requests-per-month": { usage: "Requests a month (default 1000000)", ...text },
              "health-requests-per-minute": {
                usage: "GET /health calls a minute (default 1)",
                ...text,
              },
              json: { usage: "Print the estimate as JSON", type: "boolean" },
            },
          },
        },
      },
    },
    hooks: {
      "vitals:cost:print": async () => {
        const { infra, estimate: e } = await estimate(plugin.options);
        plugin.writeText(plugin.options.json ? JSON.stringify(e, null, 2) : infra.formatCost(e));
      },
      "before:package:cleanup": async () => {
        const { infra, settings, estimate: e } = await estimate();
        const verdict = infra.cardinalityVerdict(e, settings);
        if (verdict.level === "refuse") throw new Error(verdict.message);
        if (verdict.level === "warn") plugin.log?.warning(verdict.message);
        plugin.log?.notice(infra.costLine(e));
      },
    },
  };
}

module.exports = { vitalsCommands };
