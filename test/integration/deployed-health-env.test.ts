/**
 * `npm start` points the health function at the local CloudWatch through its own child
 * process's environment only: the packaged (deployed) functions set no endpoint and no
 * credentials, so the deployed health function reads the real CloudWatch with its role.
 */
import { describe, expect, it } from "vitest";
import { packageService } from "../infra/package";

describe("the deployed health function", () => {
  it("sets no CloudWatch endpoint and no credentials in any function's environment", async () => {
    // Act
    const { template } = await packageService(["--stage", "dev"]);

    // Assess
    const functions = Object.entries(template.Resources).filter(
      ([, r]) => r.Type === "AWS::Lambda::Function",
    );
    expect(functions.map(([id]) => id)).toContain("HealthLambdaFunction");
    for (const [id, resource] of functions) {
      const variables =
        (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
          ?.Variables ?? {};
      const names = Object.keys(variables);
      expect(names, id).toContain("VITALS_NAMESPACE");
      expect(
        names.filter((name) =>
          /^AWS_(ENDPOINT_URL|ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)/.test(name),
        ),
        id,
      ).toEqual([]);
      expect(JSON.stringify(variables), id).not.toContain("127.0.0.1");
    }
  }, 120_000);
});
