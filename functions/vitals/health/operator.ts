/**
 * Who may read the health details. The public answer carries the status only; the details (the
 * version, what is deployed, each check's figures, a failing sibling's deployed name) go to a
 * caller that AWS itself authenticated: one signed with IAM credentials on a route with the
 * `aws_iam` authorizer, whose identity API Gateway or the Function URL put into the event, or a
 * direct invocation, which needs `lambda:InvokeFunction`. The event's identity is the proof, not
 * the route: a route declared without the authorizer carries none, so it can never leak them.
 */

/**
 * Whether the event comes from a caller allowed to read the details.
 *
 * @example
 * isOperator({ requestContext: { authorizer: { iam: { userArn: "arn:aws:iam::1:user/ops" } } } }); // true
 * isOperator(httpApiEvent({ path: "/health" })); // false
 */
export function isOperator(event: unknown, http: boolean): boolean {
  if (!http) return true; // a direct invoke or the schedule: IAM let it invoke the function
  const context = objectOr((event as { requestContext?: unknown } | null)?.requestContext);
  // HTTP API and Function URLs with IAM authorisation (payload 2.0)
  const iam = objectOr(objectOr(context?.authorizer)?.iam);
  if (typeof iam?.userArn === "string" || typeof iam?.accessKey === "string") return true;
  // REST API with AWS_IAM authorisation (payload 1.0): the caller's signed identity
  const identity = objectOr(context?.identity);
  return typeof identity?.userArn === "string" && typeof identity?.accessKey === "string";
}

function objectOr(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}
