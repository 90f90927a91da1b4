/**
 * `npm start` in the template: the launcher with this project's own Serverless CLI, the stack
 * generator that infra/plugin.cjs loads (infra/load.cjs, from the sources here), and the page
 * from `local/page/`. local/start.mjs compiles this file and runs it.
 */
import { join } from "node:path";
import { projectAssets } from "./dev-server";
import { loadGenerator } from "./generated-stack";
import { startLocal } from "./launcher";

/**
 * Runs `npm start` in the project at `root`.
 *
 * @example
 * process.exitCode = await startTemplate({ root, argv: process.argv.slice(2) });
 */
export function startTemplate(context: {
  readonly root: string;
  readonly argv: readonly string[];
}): Promise<number> {
  const { root } = context;
  return startLocal({
    command: "npm start --",
    root,
    argv: context.argv,
    cli: join(root, "node_modules", "serverless", "bin", "serverless.js"),
    generator: (template) => loadGenerator({ root, library: template.vitals.library }),
    assets: projectAssets(root),
  });
}
