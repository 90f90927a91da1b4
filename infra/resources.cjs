"use strict";
/**
 * `resources: ${file(./infra/resources.cjs)}` in serverless.yml: the Serverless CLI calls this
 * with its variable resolvers, so the generated resources follow `--stage`, `--region`, the
 * stage's params and the functions' own config.
 */
const { loadInfra } = require("./load.cjs");

module.exports = async ({ resolveConfigurationProperty, resolveVariable }) => {
  const { buildStack, readServiceConfig } = loadInfra();
  const input = readServiceConfig({
    service: await resolveConfigurationProperty(["service"]),
    stage: await resolveVariable("sls:stage"),
    region: await resolveConfigurationProperty(["provider", "region"]),
    functions: await resolveConfigurationProperty(["functions"]),
    vitals: await resolveConfigurationProperty(["custom", "vitals"]),
  });
  return buildStack(input);
};
