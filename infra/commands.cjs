"use strict";
/**
 * The `serverless vitals` commands and the cost line of `package` and `deploy`, for the plugin
 * (infra/plugin.cjs) to register. Everything they compute comes from the generator the plugin
 * loads (infra/cost*.ts, infra/report*.ts); this file only reads options and prints.
 *
 * - `serverless vitals cost [--requests-per-month N] [--health-requests-per-minute N] [--json]`
 *   prints the monthly CloudWatch cost of the stack, item by item (no AWS call).
 * - `serverless vitals report --stage prod [--since 1h] [--json]` prints, per route, requests,
 *   5xx %, 4xx %, p50/p90/p99, cold-start %, timeouts, the totals and every alarm's state, read
 *   from CloudWatch with the AWS SDK (`DescribeAlarms`, and `GetMetricData` per page of queries).
 * - `serverless package` and `serverless deploy` (which packages first) print the total on one
 *   line when packaging starts, warn when the custom metrics exceed
 *   `custom.vitals.cost.metricBudget`, and stop above `metricLimit` before anything is built.
 */

const text = { type: "string" };

/**
 * @param {{ serverless: any, options: Record<string, unknown>, log?: any, input?: unknown,
 *   writeText: (text: string) => void, config: () => Promise<{ infra: any, input: any }> }} plugin
 */
function vitalsCommands(plugin) {
  /** A user's mistake, shown without a stack trace (Serverless' own error class where it has one). */
  const userError = (message) => {
    const UserError = plugin.serverless.classes?.Error ?? Error;
    return new UserError(message);
  };
  /** The estimate from the service's resources as the plugin merged them, and its settings. */
  const estimate = async (raw = {}) => {
    const { infra, input } = await plugin.config();
    // the functions as the service wrote them: after `initialize` they carry their generated roles
    const written = plugin.input ?? input;
    const stack = infra.readServiceConfig(written);
    const settings = infra.costSettings(written);
    const own = plugin.serverless.service.resources?.Resources;
    // After `initialize` the service's resources hold the generated ones beside its own alarms;
    // before it, the plan of the configuration as written is what the stack would add.
    const resources = own?.VitalsDashboard ? own : infra.planStack(written).resources.Resources;
    let options;
    try {
      options = infra.costOptions(raw, infra.DEFAULT_COST_OPTIONS);
    } catch (error) {
      throw userError(error.message);
    }
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
          report: {
            usage: "Print per-route requests, errors, latency, cold starts, timeouts and alarms",
            lifecycleEvents: ["print"],
            options: {
              stage: { usage: "Stage of the service", shortcut: "s", ...text },
              region: { usage: "Region of the service", shortcut: "r", ...text },
              since: { usage: "How far back: 30m, 1h (default), 2d", ...text },
              json: { usage: "Print the report as JSON", type: "boolean" },
            },
          },
        },
      },
    },
    hooks: {
      "vitals:report:print": async () => {
        const { infra, input } = await plugin.config();
        const stack = infra.readServiceConfig(plugin.input ?? input);
        let since;
        try {
          since = infra.sinceSeconds(plugin.options.since ?? "1h");
        } catch (error) {
          throw userError(error.message);
        }
        const resources = plugin.serverless.service.resources?.Resources ?? {};
        // The SDK is loaded only here: packaging and the other commands never need it.
        const sdk = require("@aws-sdk/client-cloudwatch");
        const client = new sdk.CloudWatchClient({ region: stack.region });
        const calls = {
          getMetricData: (request) => client.send(new sdk.GetMetricDataCommand(request)),
          describeAlarms: (request) => client.send(new sdk.DescribeAlarmsCommand(request)),
        };
        const params = plugin.serverless.configurationInput?.params ?? {};
        const target = {
          stack,
          alarmNames: infra.alarmNamesOf(resources),
          stages: Object.keys(params).filter((stage) => stage !== "default"),
        };
        let report;
        try {
          report = await infra.runReport(calls, target, since, Date.now());
        } catch (error) {
          throw userError(infra.reportFailure(error, stack.region));
        } finally {
          client.destroy();
        }
        const color = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
        plugin.writeText(
          plugin.options.json
            ? JSON.stringify(report, null, 2)
            : infra.formatReport(report, { color }),
        );
      },
      "vitals:cost:print": async () => {
        const { infra, estimate: e } = await estimate(plugin.options);
        plugin.writeText(plugin.options.json ? JSON.stringify(e, null, 2) : infra.formatCost(e));
      },
      "before:package:cleanup": async () => {
        const { infra, settings, estimate: e } = await estimate();
        const verdict = infra.cardinalityVerdict(e, settings);
        if (verdict.level === "refuse") throw userError(verdict.message);
        if (verdict.level === "warn") plugin.log?.warning(verdict.message);
        plugin.log?.notice(infra.costLine(e));
      },
    },
  };
}

module.exports = { vitalsCommands };
