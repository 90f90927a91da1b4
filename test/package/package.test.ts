/**
 * The package as npm publishes it: `npm pack`'s tarball holds the built files, README, LICENSE and
 * CHANGELOG and nothing else; publint and arethetypeswrong find nothing in it; every entry loads
 * from CommonJS and from ESM with the names docs/api.md lists; its declarations type-check in a
 * service's usual tsconfigs, with skipLibCheck off, under this project's TypeScript and the oldest
 * one it supports; `lambda-vitals/health` without the CloudWatch SDK names the package to install;
 * and the plugin loads without esbuild.
 */
import { execFile } from "node:child_process";
import { cp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../fixtures/project-copy";
import { OLDEST_TYPESCRIPT, oldestTsc } from "./oldest-typescript";
import { linkFromProject, type Packed, packPackage } from "./packed";

const run = promisify(execFile);
const BIN = join(PROJECT_ROOT, "node_modules", ".bin");
const CONSUMER = join(import.meta.dirname, "consumer");

/** What each entry exports at run time: the public API (docs/api.md), no more. */
const PUBLIC = {
  "lambda-vitals": ["HttpError", "metricsFor", "withVitals"],
  "lambda-vitals/health": [
    "HEALTH_CONTENT_TYPE",
    "cloudWatchChecks",
    "healthHandler",
    "healthSettings",
    "runtimeChecks",
    "siblingChecks",
  ],
  "lambda-vitals/testing": ["invokeMeasured"],
} as const;

let packed: Packed;

beforeAll(async () => {
  packed = await packPackage("package");
}, 300_000);

afterAll(async () => {
  await packed?.remove();
});

async function filesUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const name of names) {
    if ((await stat(join(dir, name))).isFile()) files.push(name);
  }
  return files.sort();
}

/** Runs a script with Node in the packed service's folder; what it printed, parsed. */
async function nodeIn(dir: string, file: string, source: string): Promise<unknown> {
  await writeFile(join(dir, file), source);
  const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 60_000 });
  return JSON.parse(stdout);
}

describe("the tarball", () => {
  it("holds the built files, README, LICENSE and CHANGELOG, and nothing else", async () => {
    // Act
    const files = await filesUnder(packed.installed);
    // Assess
    const outside = files.filter((file) => !file.startsWith("dist/"));
    expect(outside).toEqual(["CHANGELOG.md", "LICENSE", "README.md", "package.json"]);
    const dist = files.filter((file) => file.startsWith("dist/"));
    // the code, and the local command's page with uPlot and uPlot's licence
    expect(
      dist.filter(
        (file) => !/\.(?:mjs|cjs|d\.mts|d\.ts)$/.test(file) && !file.startsWith("dist/page/"),
      ),
    ).toEqual([]);
    expect(dist.filter((file) => file.startsWith("dist/page/"))).toEqual([
      "dist/page/index.html",
      "dist/page/page.css",
      "dist/page/page.js",
      "dist/page/vendor/uPlot.LICENSE",
      "dist/page/vendor/uPlot.iife.min.js",
      "dist/page/vendor/uPlot.min.css",
    ]);
    for (const entry of ["index", "health", "testing"]) {
      for (const ext of [".mjs", ".cjs", ".d.mts", ".d.ts"]) {
        expect(dist).toContain(`dist/${entry}${ext}`);
      }
    }
    expect(dist).toContain("dist/serverless.cjs");
    expect(dist).toContain("dist/cli.cjs");
  });

  it("keeps the local command out of everything lambda-vitals, /health and /testing load", async () => {
    // Prepare: the files each entry loads, following its relative imports and requires
    const loaded = new Set<string>();
    const visit = async (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      const text = await readFile(join(packed.installed, file), "utf8");
      for (const [, relative = ""] of text.matchAll(
        /(?:from |require\(|import\()\s*["'](\.\/[^"']+)["']/g,
      )) {
        await visit(join("dist", relative));
      }
    };

    // Act
    for (const entry of ["index", "health", "testing"]) {
      for (const ext of [".mjs", ".cjs"]) await visit(`dist/${entry}${ext}`);
    }

    // Assess: the chunks are reached, the bin is not, and none holds the local server's code
    expect([...loaded].some((file) => file.includes("chunk-"))).toBe(true);
    expect([...loaded]).not.toContain("dist/cli.cjs");
    for (const file of loaded) {
      const text = await readFile(join(packed.installed, file), "utf8");
      expect(text.includes("startDevServer") || text.includes("serverless-offline"), file).toBe(
        false,
      );
    }
    const bin = await readFile(join(packed.installed, "dist/cli.cjs"), "utf8");
    expect(bin.startsWith("#!/usr/bin/env node\n")).toBe(true);
    expect(bin).toContain("startDevServer");
  });

  it("names no path of the machine that built it", async () => {
    for (const file of await filesUnder(packed.installed)) {
      // Act
      const text = await readFile(join(packed.installed, file), "utf8");
      // Assess
      expect(text.includes(PROJECT_ROOT), file).toBe(false);
      expect(/(?:^|[\s"'(])\/(?:home|root|tmp|work|Users)\//m.test(text), file).toBe(false);
    }
  });

  it("has zero runtime dependencies and the CloudWatch SDK as an optional peer", async () => {
    // Act
    const manifest = JSON.parse(await readFile(join(packed.installed, "package.json"), "utf8"));
    // Assess
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.private).toBeUndefined();
    expect(manifest.peerDependenciesMeta["@aws-sdk/client-cloudwatch"]).toEqual({ optional: true });
  });

  it("passes publint with nothing to report", async () => {
    // Act
    const { stdout } = await run(join(BIN, "publint"), ["run", packed.tarball, "--strict"], {
      timeout: 120_000,
    });
    // Assess
    expect(stdout).toMatch(/All good!/);
  }, 150_000);

  it("passes arethetypeswrong for every entry and resolution mode, offline", async () => {
    // Act: a problem makes attw exit non-zero, with the table on stdout
    const checked = run(join(BIN, "attw"), [packed.tarball, "--format", "json"], {
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    // Assess
    const { stdout } = await checked;
    const report = JSON.parse(stdout) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  }, 150_000);
});

describe("the plugin under an unsupported Serverless", () => {
  it("stops at construction, naming the versions it supports", async () => {
    // Act: only v3 and osls 4 are installed here, so Serverless 2 and 5 are stood in for by the
    // two fields the check reads (`version`, and `classes.Error` to throw with)
    const refused = await nodeIn(
      packed.dir,
      "unsupported.cjs",
      `const Plugin = require("lambda-vitals/serverless");
       class ServerlessError extends Error {}
       const messages = ["2.72.3", "5.0.0"].map((version) => {
         try {
           new Plugin({ version, classes: { Error: ServerlessError } }, {});
           return "constructed";
         } catch (error) {
           return (error instanceof ServerlessError ? "" : "not a ServerlessError: ") + error.message;
         }
       });
       console.log(JSON.stringify(messages));`,
    );
    // Assess
    expect(refused).toEqual([
      expect.stringMatching(
        /^lambda-vitals supports Serverless Framework v3 .*osls@4.*Serverless 2\.72\.3/,
      ),
      expect.stringMatching(/^lambda-vitals supports .*Serverless 5\.0\.0/),
    ]);
  });
});

describe("the entries", () => {
  it("load from CommonJS and from ESM with the public names only", async () => {
    // Act
    const fromRequire = await nodeIn(
      packed.dir,
      "entries.cjs",
      `const names = ${JSON.stringify(Object.keys(PUBLIC))};
       console.log(JSON.stringify(Object.fromEntries(names.map((n) => [n, Object.keys(require(n)).sort()]))));`,
    );
    const fromImport = await nodeIn(
      packed.dir,
      "entries.mjs",
      `const names = ${JSON.stringify(Object.keys(PUBLIC))};
       const out = {};
       for (const n of names) out[n] = Object.keys(await import(n)).sort();
       console.log(JSON.stringify(out));`,
    );
    // Assess
    const expected = Object.fromEntries(
      Object.entries(PUBLIC).map(([name, exports]) => [name, [...exports].sort()]),
    );
    expect(fromRequire).toEqual(expected);
    expect(fromImport).toEqual(expected);
  });

  it("lambda-vitals/health without @aws-sdk/client-cloudwatch names the package to install", async () => {
    // Act: the packed service has no SDK in reach
    const outputs = await nodeIn(
      packed.dir,
      "no-sdk.mjs",
      `import { cloudWatchChecks, healthSettings, siblingChecks } from "lambda-vitals/health";
       const env = { VITALS_SERVICE: "books", HEALTH_SIBLING_FUNCTIONS: "books-dev-list" };
       const settings = healthSettings(env);
       const checks = [...cloudWatchChecks(settings, env), ...siblingChecks(settings, env)];
       const signal = new AbortController().signal;
       const results = await Promise.all(checks.map((check) => check.run(signal)));
       console.log(JSON.stringify(results.map((result) => result.output)));`,
    );
    // Assess
    expect(outputs).not.toHaveLength(0);
    for (const output of outputs as string[]) {
      expect(output).toMatch(/npm install @aws-sdk\/client-cloudwatch/);
    }
  });

  it("the plugin loads with no esbuild in reach and is the class Serverless constructs", async () => {
    // Act
    const loaded = await nodeIn(
      packed.dir,
      "plugin.cjs",
      `const Plugin = require("lambda-vitals/serverless");
       let esbuild = true;
       try { require.resolve("esbuild"); } catch { esbuild = false; }
       console.log(JSON.stringify({ type: typeof Plugin, name: Plugin.name, esbuild }));`,
    );
    // Assess
    expect(loaded).toEqual({ type: "function", name: "VitalsPlugin", esbuild: false });
  });
});

/** A service's usual compiler settings, each with skipLibCheck off. */
const TSCONFIGS = {
  "lib es2019, commonjs, moduleResolution node": {
    compilerOptions: {
      target: "es2019",
      lib: ["es2019"],
      module: "commonjs",
      moduleResolution: "node",
    },
    files: ["src/handlers.ts", "src/handler-tests.ts"],
  },
  "lib es2020, node16 (CommonJS and ESM files)": {
    compilerOptions: {
      target: "es2020",
      lib: ["es2020"],
      module: "node16",
      moduleResolution: "node16",
    },
    files: ["src/handlers.ts", "src/handler-tests.ts", "src/esm.mts"],
  },
  "lib es2020, esnext, moduleResolution bundler": {
    compilerOptions: {
      target: "es2020",
      lib: ["es2020"],
      module: "esnext",
      moduleResolution: "bundler",
    },
    files: ["src/handlers.ts", "src/handler-tests.ts", "src/esm.mts"],
  },
} as const;

/** TypeScript 4.7 is the oldest that type-checks the declarations; `bundler` arrived in 5.0. */
const COMPILERS = [
  {
    name: "project",
    version: "5 (the project's)",
    tsc: async () => join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"),
    configs: Object.keys(TSCONFIGS),
  },
  {
    name: "oldest",
    version: OLDEST_TYPESCRIPT,
    tsc: oldestTsc,
    configs: Object.keys(TSCONFIGS).filter((config) => !config.includes("bundler")),
  },
] as const;

describe("the declarations in a service's tsconfig", () => {
  beforeAll(async () => {
    await linkFromProject(packed, ["@types/aws-lambda", "@types/node"]);
    await cp(join(CONSUMER, "src"), join(packed.dir, "src"), { recursive: true });
  });

  for (const compiler of COMPILERS) {
    for (const config of compiler.configs) {
      it(`type-check under TypeScript ${compiler.version}: ${config}`, async () => {
        // Prepare
        const file = `tsconfig.${compiler.name}.${Object.keys(TSCONFIGS).indexOf(config)}.json`;
        const { compilerOptions, files } = TSCONFIGS[config as keyof typeof TSCONFIGS];
        const tsconfig = {
          compilerOptions: { ...compilerOptions, strict: true, skipLibCheck: false, noEmit: true },
          files,
        };
        await writeFile(join(packed.dir, file), JSON.stringify(tsconfig));
        const tsc = await compiler.tsc();
        // Act
        const checked = run(process.execPath, [tsc, "-p", file], {
          cwd: packed.dir,
          timeout: 120_000,
        });
        // Assess: tsc prints its errors on stdout and exits non-zero
        await expect(checked).resolves.toMatchObject({ stdout: "" });
        expect(relative(packed.dir, join(packed.installed, "dist"))).toBe(
          "node_modules/lambda-vitals/dist",
        );
      }, 300_000);
    }
  }

  it("fail where the service's code is wrong: an event of the wrong type is refused", async () => {
    // Prepare: proof that the checks above read the package's types, not `any`
    await writeFile(
      join(packed.dir, "src/wrong.ts"),
      `import { withVitals } from "lambda-vitals";
       import { invokeMeasured } from "lambda-vitals/testing";
       const handler = withVitals(async (event: { id: string }) => event.id.length);
       export const measured = invokeMeasured(handler, { name: "x" });`,
    );
    const tsconfig = {
      ...TSCONFIGS["lib es2019, commonjs, moduleResolution node"],
      files: ["src/wrong.ts"],
    };
    await writeFile(
      join(packed.dir, "tsconfig.wrong.json"),
      JSON.stringify({
        ...tsconfig,
        compilerOptions: { ...tsconfig.compilerOptions, strict: true, noEmit: true },
      }),
    );
    // Act
    const tsc = join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
    const checked = run(process.execPath, [tsc, "-p", "tsconfig.wrong.json"], { cwd: packed.dir });
    // Assess
    await expect(checked).rejects.toMatchObject({
      stdout: expect.stringMatching(/src\/wrong\.ts.*error TS\d+:.*'name'/),
    });
  }, 150_000);
});
