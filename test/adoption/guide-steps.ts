/**
 * docs/existing-services.md, step by step, as a user applies it to their service. Each function
 * below is one numbered step of the guide and does what that step says, no more; when the guide
 * changes, this file changes with it, and the adoption test fails if the guide's steps stop
 * producing a service that type-checks, packages and measures.
 */
import { appendFile, cp, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { PROJECT_ROOT } from "../fixtures/project-copy";

/** Where the service copies the two folders: the guide's own example of another layout. */
export const LAYOUT = { library: "src/lib/vitals", infra: "deploy/vitals" } as const;

/** The packages step 2 installs with `npm install -D`. */
export const GUIDE_DEPENDENCIES = ["esbuild", "@types/aws-lambda", "@aws-sdk/client-cloudwatch"];

/**
 * Adopts lambda-vitals in the service at `serviceDir`, taking the two folders from this project.
 *
 * @example
 * await adoptVitals(copy.dir, ["src/handlers/get-todo.ts"]);
 */
export async function adoptVitals(serviceDir: string, handlerFiles: readonly string[]) {
  await copyTheTwoFolders(serviceDir);
  await addDependencies(serviceDir);
  await adjustTsconfig(serviceDir);
  await addServerlessLines(serviceDir);
  for (const file of handlerFiles) await wrapHandler(serviceDir, file);
}

/** 1. Copy `functions/vitals/` and `infra/` (all of it) to where the service keeps such code. */
async function copyTheTwoFolders(serviceDir: string): Promise<void> {
  await cp(join(PROJECT_ROOT, "functions/vitals"), join(serviceDir, LAYOUT.library), {
    recursive: true,
  });
  await cp(join(PROJECT_ROOT, "infra"), join(serviceDir, LAYOUT.infra), { recursive: true });
}

/**
 * 2. `npm install -D esbuild @types/aws-lambda @aws-sdk/client-cloudwatch`: recorded in the
 * service's package.json at this project's versions. The copy's `node_modules` is this project's,
 * so each package must resolve from the service's folder, as it would after the install.
 */
async function addDependencies(serviceDir: string): Promise<void> {
  const ours = JSON.parse(await readFile(join(PROJECT_ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const path = join(serviceDir, "package.json");
  const manifest = JSON.parse(await readFile(path, "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  const resolveFrom = createRequire(join(serviceDir, "package.json"));
  const added = { ...manifest.devDependencies };
  for (const name of GUIDE_DEPENDENCIES) {
    const version = ours.devDependencies[name];
    if (version === undefined) throw new Error(`the guide installs ${name}; this project has not`);
    resolveFrom.resolve(`${name}/package.json`);
    added[name] = version;
  }
  manifest.devDependencies = added;
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * 3. `lib` ES2022 or newer (any `target`), `moduleResolution` `node` with `module: commonjs` or
 * `bundler`, and the infra folder left out of what `tsc` checks.
 */
async function adjustTsconfig(serviceDir: string): Promise<void> {
  const path = join(serviceDir, "tsconfig.json");
  const config = JSON.parse(await readFile(path, "utf8")) as {
    compilerOptions: Record<string, unknown>;
    exclude?: string[];
  };
  const options = config.compilerOptions;
  const resolution = String(options.moduleResolution).toLowerCase();
  const module = String(options.module).toLowerCase();
  if (!(resolution === "bundler" || (resolution === "node" && module === "commonjs"))) {
    throw new Error(`the guide does not cover moduleResolution ${resolution} with ${module}`);
  }
  const older = (lib: unknown) => /^es(5|6|20(1\d|20|21))$/i.test(String(lib));
  const libs = Array.isArray(options.lib) ? options.lib : [];
  options.lib = [...libs.filter((lib) => !older(lib)), "ES2022"];
  config.exclude = [...(config.exclude ?? []), LAYOUT.infra];
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
}

/** 4. The plugin line, `custom.vitals.library` (the library is not at functions/vitals). */
async function addServerlessLines(serviceDir: string): Promise<void> {
  const path = join(serviceDir, "serverless.yml");
  const config = await readFile(path, "utf8");
  const withPlugin = replaceOnce(
    config,
    "plugins:\n  - serverless-esbuild\n",
    `plugins:\n  - serverless-esbuild\n  - ./${LAYOUT.infra}/plugin.cjs\n`,
  );
  const withLibrary = replaceOnce(
    withPlugin,
    "custom:\n",
    `custom:\n  vitals:\n    library: ${LAYOUT.library}\n`,
  );
  await writeFile(path, withLibrary);
  // The plugin's build goes to .vitals/ beside serverless.yml
  await appendFile(join(serviceDir, ".gitignore"), ".vitals/\n");
}

/**
 * 5. The handler as it is, renamed, and `export const handler = withVitals(existingHandler)`.
 * A middy handler is wrapped whole, so `withVitals` sits outside middy, as the guide says.
 */
async function wrapHandler(serviceDir: string, file: string): Promise<void> {
  const path = join(serviceDir, file);
  const source = await readFile(path, "utf8");
  let library = relative(dirname(path), join(serviceDir, LAYOUT.library));
  if (!library.startsWith(".")) library = `./${library}`;
  const renamed = replaceOnce(source, "export const handler", "const existingHandler");
  await writeFile(
    path,
    `import { withVitals } from "${library}";\n${renamed}\nexport const handler = withVitals(existingHandler);\n`,
  );
}

/**
 * Moving the service from Serverless v3 to v4 (osls), as docs/existing-services.md ("Which
 * versions") says: `frameworkVersion: "3"` widens to both majors, and what v3 only warned about
 * is fixed, since osls refuses it; here the short `http` form without a leading `/`.
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
  await writeFile(path, replaceOnce(config, "http: GET todos/", "http: GET /todos/"));
}

/** A step that finds nothing to change is a guide that no longer fits the service: say so. */
function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1) {
    throw new Error(`expected exactly one ${JSON.stringify(from)} to change`);
  }
  return text.slice(0, at) + to + text.slice(at + from.length);
}
