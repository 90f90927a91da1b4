/**
 * One role per function, holding only what that function uses: writing to its own log group,
 * plus the statements `custom.vitals.permissions` lists for it. Serverless' default is one role
 * shared by every function, so each function gets the union of what all of them need. What the
 * service granted through that shared role (`provider.iam.role`) is carried into every role, so
 * adopting lambda-vitals takes no permission away.
 */
import type { CfnResource } from "./cfn";
import { type FunctionInput, roleIdOf, type SharedGrants } from "./service";

const NO_GRANTS: SharedGrants = { statements: [], managedPolicies: [] };

/**
 * The role of one function.
 *
 * @example
 * functionRole({ key: "getOrder", name: "shop-dev-getOrder", logicalName: "GetOrder",
 *   routes: [], statements: [] }).Properties.Policies;
 */
export function functionRole(fn: FunctionInput, grants: SharedGrants = NO_GRANTS): CfnResource {
  // The log group is created by the stack (with its retention), so CreateLogGroup is not needed.
  const logGroup = `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${fn.name}`;
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      Description: `Least privilege for the ${fn.key} function (lambda-vitals)`,
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: ["lambda.amazonaws.com"] },
            Action: ["sts:AssumeRole"],
          },
        ],
      },
      Policies: [
        {
          PolicyName: `${fn.key}-logs`,
          PolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Action: ["logs:CreateLogStream"],
                Resource: [{ "Fn::Sub": `${logGroup}:*` }],
              },
              {
                Effect: "Allow",
                Action: ["logs:PutLogEvents"],
                Resource: [{ "Fn::Sub": `${logGroup}:log-stream:*` }],
              },
            ],
          },
        },
        ...(fn.statements.length === 0
          ? []
          : [
              {
                PolicyName: `${fn.key}-uses`,
                PolicyDocument: { Version: "2012-10-17", Statement: fn.statements },
              },
            ]),
        ...(grants.statements.length === 0
          ? []
          : [
              {
                PolicyName: `${fn.key}-service`,
                PolicyDocument: { Version: "2012-10-17", Statement: grants.statements },
              },
            ]),
      ],
      ...(grants.managedPolicies.length === 0 ? {} : { ManagedPolicyArns: grants.managedPolicies }),
      ...(grants.permissionsBoundary === undefined
        ? {}
        : { PermissionsBoundary: grants.permissionsBoundary }),
    },
  };
}

/**
 * Every function's role, keyed by the logical id `serverless.yml` names in `role:`.
 *
 * @example
 * Object.keys(functionRoles(input.functions, grants)); // ["GetOrderRole", "CreateOrderRole", ...]
 */
export function functionRoles(
  functions: readonly FunctionInput[],
  grants: SharedGrants = NO_GRANTS,
): Record<string, CfnResource> {
  return Object.fromEntries(functions.map((fn) => [roleIdOf(fn), functionRole(fn, grants)]));
}
