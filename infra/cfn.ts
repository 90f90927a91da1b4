/** The little of CloudFormation's template shape the generators write. */
export interface CfnResource {
  readonly Type: string;
  readonly Condition?: string;
  readonly Properties: Record<string, unknown>;
}

export interface CfnFragment {
  readonly Conditions: Record<string, unknown>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs: Record<string, unknown>;
}
