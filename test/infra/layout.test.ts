/**
 * The two folders work wherever a service puts them: the library in `src/lib/vitals/` and the
 * plugin in `deploy/vitals/`, with `custom.vitals.library` the one setting that says so. Without
 * it, packaging stops with a message that names the setting.
 */
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { copyProject, type ProjectCopy } from "../fixtures/project-copy";
import { packageService } from "./package";
import { specProblems } from "./spec";

/** Moves the folders as a service with its own layout would, and points its files at them. */
async function elsewhere(copy: ProjectCopy, library: string | undefined): Promise<void> {
  const at = (path: string) => join(copy.dir, path);
  await mkdir(at("src/lib"), { recursive: true });
  await mkdir(at("deploy"), { recursive: true });
  await rename(at("functions/vitals"), at("src/lib/vitals"));
  await rename(at("infra"), at("deploy/vitals"));
  for (const name of await readdir(at("functions"))) {
    if (!name.endsWith(".ts")) continue;
    const source = await readFile(at(`functions/${name}`), "utf8");
    await writeFile(
      at(`functions/${name}`),
      source.replaceAll('"./vitals"', '"../src/lib/vitals"'),
    );
  }
  // the handlers import `lambda-vitals`, which tsconfig.json's paths point at the library's folder
  const tsconfig = await readFile(at("tsconfig.json"), "utf8");
  await writeFile(
    at("tsconfig.json"),
    tsconfig.replaceAll("./functions/vitals/", "./src/lib/vitals/"),
  );
  let config = await readFile(at("serverless.yml"), "utf8");
  config = config.replace("  - ./infra/plugin.cjs", "  - ./deploy/vitals/plugin.cjs");
  if (library !== undefined) {
    config = config.replace("  vitals:\n", `  vitals:\n    library: ${library}\n`);
  }
  await writeFile(at("serverless.yml"), config);
}

describe("the plugin in another layout", () => {
  it("packages with custom.vitals.library as the one setting", async () => {
    // Act
    const { template } = await packageService(["--stage", "test", "--region", "eu-west-1"], {
      arrange: (copy) => elsewhere(copy, "src/lib/vitals"),
    });

    // Assess
    expect(template.Resources.VitalsDashboard?.Type).toBe("AWS::CloudWatch::Dashboard");
    expect(template.Resources.GetOrderRole?.Type).toBe("AWS::IAM::Role");
    expect(
      Object.entries(template.Resources).flatMap(([id, resource]) => specProblems(id, resource)),
    ).toEqual([]);
  }, 120_000);

  it("stops, naming the setting, when the library is not where it looks", async () => {
    // Prepare
    const copy = await copyProject("layout");
    try {
      await elsewhere(copy, undefined);

      // Act
      const run = promisify(execFile)(process.execPath, [copy.cli, "package"], {
        cwd: copy.dir,
        env: copy.env,
        timeout: 90_000,
      });

      // Assess
      await expect(run).rejects.toMatchObject({
        stdout: expect.stringMatching(/Set custom\.vitals\.library in serverless\.yml/),
      });
    } finally {
      await copy.remove();
    }
  });
});
