/**
 * The local page reads the stack from the generator the plugin runs: what `serverless print`
 * resolves, through infra/load.cjs and `planStack`, gives the resources that `serverless package`
 * writes into the deployed template, under Serverless v3 and v4.
 */
import { describe, expect, it } from "vitest";
import { generatedResources, loadGenerator } from "../../local/generated-stack";
import { printServiceTemplate, type ServiceTemplate } from "../../local/service-template";
import { copyProject, PROJECT_ROOT } from "../fixtures/project-copy";
import { serviceConfig } from "../fixtures/service-config";
import { packageService } from "../infra/package";

/** `npm start` takes a stage, and the region serverless.yml resolves. */
const ARGS = ["--stage", "test"];

/** A printed service as `serverless print` shows it: as the service wrote it. */
function printedService(functions: ServiceTemplate["functions"], vitals = {}): ServiceTemplate {
  const config = serviceConfig();
  return {
    service: "shop",
    stage: "prod",
    region: "eu-west-1",
    provider: {},
    functions: { ...(config.functions as ServiceTemplate["functions"]), ...functions },
    vitals: { ...(config.vitals as Record<string, unknown>), ...vitals },
    scheduledFunctions: [],
  };
}

describe("the stack the local page reads", () => {
  it.each([3, 4] as const)(
    "is the dashboard, alarms and roles serverless package deploys (Serverless v%i)",
    async (major) => {
      // Prepare
      const packaged = await packageService(ARGS, { serverless: major });

      // Act
      const copy = await copyProject("print", { serverless: major });
      let resources: Record<string, unknown>;
      let printed: ServiceTemplate;
      try {
        const template = await printServiceTemplate({
          cli: copy.cli,
          cwd: copy.dir,
          env: copy.env,
          stage: "test",
        });
        printed = template;
        const infra = await loadGenerator({ root: copy.dir, library: template.vitals.library });
        resources = { ...generatedResources(infra, template) };
      } finally {
        await copy.remove();
      }

      // Assess: every generated resource is in the deployed template, as it is there
      const types = Object.values(resources).map((r) => (r as { Type: string }).Type);
      expect(types).toContain("AWS::CloudWatch::Dashboard");
      expect(types).toContain("AWS::CloudWatch::Alarm");
      expect(types).toContain("AWS::IAM::Role");
      for (const [id, resource] of Object.entries(resources)) {
        expect(packaged.template.Resources[id], id).toEqual(resource);
      }
      // print shows the functions as written: the plugin applied its plan to copies
      expect(printed.functions.getOrder?.role).toBeUndefined();
      expect(printed.functions.health?.environment).not.toHaveProperty("HEALTH_SIBLING_FUNCTIONS");
    },
    240_000,
  );

  it("refuses a role the service set on a function, and keeps it with roles: false", async () => {
    // Prepare
    const infra = await loadGenerator({ root: PROJECT_ROOT, library: undefined });
    const adopted = printedService({ getOrder: { events: [{ httpApi: "GET /getOrder" }] } });
    const own = printedService({
      getOrder: { events: [{ httpApi: "GET /getOrder" }], role: "arn:aws:iam::1:role/mine" },
    });
    const ownKept = printedService(
      { getOrder: { events: [{ httpApi: "GET /getOrder" }], role: "MineRole" } },
      { roles: false },
    );

    // Act
    const resources = generatedResources(infra, adopted);

    // Assess
    expect(resources.GetOrderRole?.Type).toBe("AWS::IAM::Role");
    expect(() => generatedResources(infra, own)).toThrow(
      "functions.getOrder.role: the role given by ARN (arn:aws:iam::1:role/mine)",
    );
    const kept = generatedResources(infra, ownKept);
    expect(kept.GetOrderRole).toBeUndefined();
    expect(Object.values(kept).map((r) => r.Type)).toContain("AWS::CloudWatch::Dashboard");
  });

  it("says where the library's contract is missing, as the plugin does", async () => {
    await expect(loadGenerator({ root: PROJECT_ROOT, library: "src/nowhere" })).rejects.toThrow(
      "no contract.ts in",
    );
    await expect(loadGenerator({ root: PROJECT_ROOT, library: 42 })).rejects.toThrow(
      "custom.vitals.library must be a folder name",
    );
  });
});
