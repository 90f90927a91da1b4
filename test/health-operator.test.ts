/**
 * Who may read the health details (functions/vitals/health/operator.ts): a caller AWS itself
 * authenticated, by the identity the event carries, never by the route.
 */
import { describe, expect, it } from "vitest";
import { isOperator } from "../functions/vitals/health/operator";
import { httpApiEvent } from "./fixtures/events";

const ARN = "arn:aws:iam::123456789012:user/ops";

describe("isOperator", () => {
  it("lets a direct invocation or the schedule read them: IAM let it invoke the function", () => {
    expect(isOperator({}, false)).toBe(true);
    expect(isOperator(null, false)).toBe(true);
  });

  it("lets an HTTP API or Function URL caller signed with IAM read them, by user or by access key", () => {
    expect(isOperator({ requestContext: { authorizer: { iam: { userArn: ARN } } } }, true)).toBe(
      true,
    );
    expect(
      isOperator({ requestContext: { authorizer: { iam: { accessKey: "AKIA1" } } } }, true),
    ).toBe(true);
  });

  it("lets a REST API caller with an AWS_IAM identity read them only with both its user and its key", () => {
    const rest = (identity: unknown) => ({ requestContext: { identity } });
    expect(isOperator(rest({ userArn: ARN, accessKey: "AKIA1" }), true)).toBe(true);
    expect(isOperator(rest({ userArn: ARN, accessKey: null }), true)).toBe(false);
    expect(isOperator(rest({ userArn: null, accessKey: "AKIA1" }), true)).toBe(false);
    expect(isOperator(rest({ accessKey: "AKIA1" }), true)).toBe(false);
    expect(isOperator(rest({ userArn: ARN }), true)).toBe(false);
  });

  it.each([
    ["an HTTP API request without an authorizer", httpApiEvent({ path: "/health" })],
    ["no event", null],
    ["no request context", {}],
    ["a request context that is not an object", { requestContext: "iam" }],
    ["an authorizer that is null", { requestContext: { authorizer: null } }],
    ["an iam that is not an object", { requestContext: { authorizer: { iam: "yes" } } }],
    ["a user that is not a string", { requestContext: { authorizer: { iam: { userArn: 42 } } } }],
    ["an identity that is null", { requestContext: { identity: null } }],
    ["an identity that is a string", { requestContext: { identity: "ops" } }],
    // a function carries properties too, but no JSON event holds one: only objects are read
    [
      "an authorizer that is a function",
      { requestContext: { authorizer: Object.assign(() => {}, { iam: { userArn: ARN } }) } },
    ],
    [
      "an identity that is a function",
      {
        requestContext: { identity: Object.assign(() => {}, { userArn: ARN, accessKey: "AKIA1" }) },
      },
    ],
  ])("keeps them from %s", (_, event) => {
    expect(isOperator(event, true)).toBe(false);
  });
});
