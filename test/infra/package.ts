/**
 * Runs `serverless package` on a copy of the project, so parallel test files and engineers
 * running `npm start` never share a `.serverless/` or `.esbuild/` folder. Needs no AWS
 * credentials: packaging only writes files.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { copyProject, type ProjectCopy, type ServerlessMajor } from "../fixtures/project-copy";

export interface Template {
  readonly Conditions?: Record<string, unknown>;
  readonly Resources: Record<
    string,
    {
      readonly Type: string;
      readonly Condition?: string;
      readonly DependsOn?: unknown;
      readonly Properties?: Record<string, unknown>;
    }
  >;
  readonly Outputs?: Record<string, { readonly Value: unknown }>;
}

export interface Packaged {
  readonly template: Template;
  readonly output: string;
}

export interface PackageOptions {
  /** Serverless v3 or v4 (osls); default 4. */
  readonly serverless?: ServerlessMajor;
  /** Rearranges the copy before packaging, as a service that copied the folders elsewhere would. */
  readonly arrange?: (copy: ProjectCopy) => Promise<void>;
}

/**
 * Packages the service for the given CLI arguments and returns the update-stack template.
 *
 * @example
 * const { template } = await packageService(["--stage", "test", "--region", "eu-west-1"]);
 */
export async function packageService(
  args: readonly string[],
  options: PackageOptions = {},
): Promise<Packaged> {
  const copy = await copyProject("package", { serverless: options.serverless ?? 4 });
  try {
    await options.arrange?.(copy);
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [copy.cli, "package", ...args],
      { cwd: copy.dir, env: copy.env, timeout: 90_000 },
    );
    const text = await readFile(
      join(copy.dir, ".serverless/cloudformation-template-update-stack.json"),
      "utf8",
    );
    return { template: JSON.parse(text) as Template, output: stdout + stderr };
  } finally {
    await copy.remove();
  }
}
