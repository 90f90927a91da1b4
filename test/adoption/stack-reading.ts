/**
 * What the adoption tests read of a packaged service's template: a function's resource, its
 * environment, the statements of its role's policies, and the routes the dashboard has rows for.
 */
import { DIMENSIONS } from "../../functions/vitals/contract";
import type { Template } from "../infra/package";
import { metricReferences } from "../infra/references";

export type Statement = Record<string, unknown>;

/**
 * Serverless' logical id of a function's resource.
 *
 * @example
 * functionId("listTodos"); // "ListTodosLambdaFunction"
 */
export function functionId(key: string): string {
  return `${key.charAt(0).toUpperCase()}${key.slice(1)}LambdaFunction`;
}

/** A function resource's properties; `{}` when the template has no such function. */
export function propertiesOf(template: Template, key: string): Record<string, unknown> {
  return template.Resources[functionId(key)]?.Properties ?? {};
}

/** A function's environment variables. */
export function environmentOf(template: Template, key: string): Record<string, string> {
  const environment = propertiesOf(template, key).Environment as
    | { Variables: Record<string, string> }
    | undefined;
  return environment?.Variables ?? {};
}

/** The statements of one named policy on the role a function runs with. */
export function policyStatements(template: Template, key: string, policyName: string): Statement[] {
  const role = propertiesOf(template, key).Role as { "Fn::GetAtt": [string, string] } | undefined;
  const roleId = role?.["Fn::GetAtt"][0] ?? "";
  const policies = (template.Resources[roleId]?.Properties?.Policies ?? []) as {
    PolicyName: string;
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies
    .filter((policy) => policy.PolicyName === policyName)
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The `Route` values the dashboard has rows for. */
export function dashboardRoutes(template: Template): Set<string> {
  return new Set(
    metricReferences(template.Resources)
      .filter((ref) => ref.where.startsWith("VitalsDashboard"))
      .map((ref) => ref.dimensions[DIMENSIONS.route])
      .filter((route): route is string => route !== undefined && route !== ""),
  );
}
