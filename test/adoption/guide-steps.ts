/**
 * docs/existing-services.md, step by step, as a user applies it to their service. Each function
 * below is one numbered step of the guide and does what that step says, no more; when the guide
 * changes, this file changes with it, and the adoption test fails if the guide's steps stop
 * producing a service that type-checks, packages and measures.
 */
import {
  cp,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Registry } from "../package/registry";

/**
 * Adopts lambda-vitals in the service at `serviceDir`, installing it from `registry`.
 *
 * @example
 * await adoptVitals(copy.dir, registry, ["src/handlers/get-todo.ts"]);
 */
export async function adoptVitals(
  serviceDir: string,
  registry: Registry,
  handlerFiles: readonly string[],
): Promise<void> {
  await installThePackage(serviceDir, registry);
  await addThePluginLine(serviceDir);
  for (const file of handlerFiles) await wrapHandler(serviceDir, file);
}

/**
 * 1. `npm install lambda-vitals`. The copy's own tools (Serverless, TypeScript, middy...) are
 * this project's node_modules, linked in, which the registry on 127.0.0.1 does not hold: npm
 * installs the package in a folder of its own, from that registry alone, and the installed
 * package is put where `npm install` in the service would put it, and recorded in the service's
 * package.json as npm records it.
 */
async function installThePackage(serviceDir: string, registry: Registry): Promise<void> {
  const staging = join(serviceDir, ".tmp", "install");
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, "package.json"), '{ "private": true }\n');
  await registry.install(staging, ["lambda-vitals"]);
  const installed = join(staging, "node_modules", "lambda-vitals");
  await cp(installed, join(serviceDir, "node_modules", "lambda-vitals"), { recursive: true });
  const { version, bin } = JSON.parse(await readFile(join(installed, "package.json"), "utf8")) as {
    version: string;
    bin?: Record<string, string>;
  };
  await rm(staging, { recursive: true, force: true });
  await linkBins(join(serviceDir, "node_modules"), bin ?? {});
  const path = join(serviceDir, "package.json");
  const manifest = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  const dependencies = (manifest.dependencies ?? {}) as Record<string, string>;
  manifest.dependencies = { ...dependencies, "lambda-vitals": `^${version}` };
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * What npm does with a package's `bin`: a link in node_modules/.bin for each. A copy's `.bin` that
 * links to this project's is made a folder of its own first, so the project's stays as it is.
 */
async function linkBins(modules: string, bin: Readonly<Record<string, string>>): Promise<void> {
  const dir = join(modules, ".bin");
  const info = await lstat(dir).catch(() => undefined);
  if (info?.isSymbolicLink()) {
    // the project's links are relative (`../typescript/bin/tsc`), and so right in the copy too
    const shared = resolve(modules, await readlink(dir));
    const names = await readdir(shared);
    await rm(dir);
    await mkdir(dir);
    await Promise.all(
      names.map(async (name) => symlink(await readlink(join(shared, name)), join(dir, name))),
    );
  }
  await mkdir(dir, { recursive: true });
  for (const [name, file] of Object.entries(bin)) {
    await rm(join(dir, name), { force: true });
    await symlink(join("..", "lambda-vitals", file), join(dir, name));
  }
}

/**
 * 2. One plugin line, after the service's bundler; a service built by `tsc` alone has no
 * `plugins:` yet and gets one holding that line.
 */
async function addThePluginLine(serviceDir: string): Promise<void> {
  const path = join(serviceDir, "serverless.yml");
  const config = await readFile(path, "utf8");
  const adopted = /^plugins:\n/m.test(config)
    ? replaceOnce(
        config,
        "plugins:\n  - serverless-esbuild\n",
        "plugins:\n  - serverless-esbuild\n  - lambda-vitals/serverless\n",
      )
    : replaceOnce(
        config,
        "\nfunctions:\n",
        "\nplugins:\n  - lambda-vitals/serverless\n\nfunctions:\n",
      );
  await writeFile(path, adopted);
}

/**
 * 3. The handler as it is, renamed, and `export const handler = withVitals(existingHandler)`.
 * A middy handler is wrapped whole, so `withVitals` sits outside middy, as the guide says.
 */
async function wrapHandler(serviceDir: string, file: string): Promise<void> {
  const path = join(serviceDir, file);
  const source = await readFile(path, "utf8");
  const renamed = replaceOnce(source, "export const handler", "const existingHandler");
  await writeFile(
    path,
    `import { withVitals } from "lambda-vitals";\n${renamed}\nexport const handler = withVitals(existingHandler);\n`,
  );
}

/**
 * "Run it on your machine": serverless-offline in the service's plugins, after the package's, so
 * that `npx lambda-vitals dev` can run it. The copy's node_modules is this project's, which has
 * serverless-offline already: the step records it as `npm install --save-dev` would.
 *
 * @example
 * await addLocalDevelopment(copy.dir);
 */
export async function addLocalDevelopment(serviceDir: string): Promise<void> {
  const path = join(serviceDir, "serverless.yml");
  const config = await readFile(path, "utf8");
  await writeFile(
    path,
    replaceOnce(
      config,
      "  - lambda-vitals/serverless\n",
      "  - lambda-vitals/serverless\n  - serverless-offline\n",
    ),
  );
  const manifestPath = join(serviceDir, "package.json");
  const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as Record<string, unknown>;
  const devDependencies = (manifest.devDependencies ?? {}) as Record<string, string>;
  manifest.devDependencies = { ...devDependencies, "serverless-offline": "^14.8.2" };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Moving the service from Serverless v3 to v4 (osls), as docs/existing-services.md ("Which
 * versions") says: `frameworkVersion: "3"` widens to both majors, and what v3 only warned about
 * is fixed, since osls refuses it; here the short `http` form without a leading `/`, where the
 * service has one.
 *
 * @example
 * await allowServerlessV4(copy.dir);
 */
export async function allowServerlessV4(serviceDir: string): Promise<void> {
  const path = join(serviceDir, "serverless.yml");
  const config = replaceOnce(
    await readFile(path, "utf8"),
    'frameworkVersion: "3"\n',
    'frameworkVersion: ">=3 <5"\n',
  );
  await writeFile(path, config.replace(SHORT_HTTP_WITHOUT_SLASH, "$1/$2"));
}

/** `http: GET todos/{id}`: the short form whose path lacks the leading `/` osls requires. */
const SHORT_HTTP_WITHOUT_SLASH = /(http: [A-Za-z]+ )([^/\s])/g;

/** A step that finds nothing to change is a guide that no longer fits the service: say so. */
export function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) {
    throw new Error(`expected exactly one ${JSON.stringify(from)} to change`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}
