"use strict";
/**
 * A local Serverless plugin: prints the dashboard's console address after `serverless deploy`
 * and `serverless info`, and on its own with `serverless dashboard-url` (no AWS call: the
 * address follows from service, stage and region).
 */
const { loadInfra } = require("./load.cjs");

/** Serverless instantiates plugins with `new`; a constructor function keeps this a function. */
function VitalsPlugin(serverless, _options, utils) {
  const print = () => {
    const provider = serverless.getProvider("aws");
    const url = loadInfra().dashboardUrl({
      service: serverless.service.service,
      stage: provider.getStage(),
      region: provider.getRegion(),
    });
    const write = utils?.writeText ?? ((text) => process.stdout.write(`${text}\n`));
    write(`dashboard: ${url}`);
  };
  this.commands = {
    "dashboard-url": {
      usage: "Print the CloudWatch dashboard's console address for --stage and --region",
      lifecycleEvents: ["print"],
      options: {
        stage: { usage: "Stage of the service", shortcut: "s", type: "string" },
        region: { usage: "Region of the service", shortcut: "r", type: "string" },
      },
    },
  };
  this.hooks = {
    "dashboard-url:print": print,
    "after:deploy:deploy": print,
    "after:info:info": print,
  };
}

module.exports = VitalsPlugin;
