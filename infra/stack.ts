/**
 * The CloudFormation fragment the plugin adds to the service's `resources`: per-function roles,
 * the alarms with their optional topic, the dashboard, and its address as an output.
 */
import { alarmResources } from "./alarms";
import type { CfnFragment } from "./cfn";
import { dashboardBody, dashboardName, dashboardUrl } from "./dashboard";
import { CONTRACT, type Contract } from "./emitted";
import { functionRoles } from "./iam";
import type { StackInput } from "./service";

export const DASHBOARD_ID = "VitalsDashboard";

/**
 * Builds the stack's own resources from the service config and the metric contract.
 *
 * @example
 * const fragment = buildStack(readServiceConfig(resolvedConfig));
 * fragment.Resources.VitalsDashboard.Type; // "AWS::CloudWatch::Dashboard"
 */
export function buildStack(input: StackInput, contract: Contract = CONTRACT): CfnFragment {
  const alarms = alarmResources(input, contract);
  const alarmIds = Object.entries(alarms.Resources)
    .filter(([, resource]) => resource.Type === "AWS::CloudWatch::Alarm")
    .map(([id]) => id);
  const body = dashboardBody(input, contract, alarmIds);
  return {
    Conditions: alarms.Conditions,
    Resources: {
      ...(input.roles === false ? {} : functionRoles(input.functions, input.roles)),
      ...alarms.Resources,
      [DASHBOARD_ID]: {
        Type: "AWS::CloudWatch::Dashboard",
        Properties: {
          DashboardName: dashboardName(input),
          DashboardBody: { "Fn::Sub": JSON.stringify(body) },
        },
      },
    },
    Outputs: {
      DashboardUrl: {
        Description: "The CloudWatch dashboard of this stage",
        Value: dashboardUrl(input),
      },
    },
  };
}
