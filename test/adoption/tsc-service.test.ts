/**
 * A service built with `tsc` alone adopts lambda-vitals by following docs/existing-services.md
 * (test/adoption/guide-steps.ts): a books API shaped like the Serverless examples' (five REST
 * `http` handlers typed `Handler` and `APIGatewayProxyHandler`, one in callback style), no bundler
 * and no build plugin, its own tsconfig compiling src/ to build/ (test/fixtures/tsc-service). The
 * package is published to a registry on 127.0.0.1 and installed from it as a dependency. After the
 * steps, with its tsconfig untouched, `tsc` compiles it, it packages under Serverless v3 and v4,
 * every role keeps every grant, the dashboard has a row for every route, the zip Serverless makes
 * holds the package's built files and none of the dev tools, and each handler, loaded from that
 * unzipped package, writes exactly one valid EMF line per invocation.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, readFile, rm, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DIMENSIONS, FIELDS, METRICS } from "../../functions/vitals/contract";
import { lambdaContext } from "../fixtures/context";
import { emfProblems } from "../fixtures/emf-spec";
import { type HttpRequest, restApiEvent } from "../fixtures/events";
import {
  copyProject,
  PROJECT_ROOT,
  type ProjectCopy,
  type ServerlessMajor,
} from "../fixtures/project-copy";
import { captureStdout } from "../fixtures/stdout";
import type { Template } from "../infra/package";
import { type Packed, packPackage } from "../package/packed";
import { type Registry, startRegistry } from "../package/registry";
import { adoptVitals, allowServerlessV4 } from "./guide-steps";
import {
  dashboardRoutes,
  environmentOf,
  policyStatements,
  propertiesOf,
  type Statement,
} from "./stack-reading";

const run = promisify(execFile);
const FIXTURE = resolve(import.meta.dirname, "../fixtures/tsc-service");
const HANDLERS = {
  create: "src/handlers/create.ts",
  update: "src/handlers/update.ts",
  find: "src/handlers/find.ts",
  findOne: "src/handlers/find-one.ts",
  deleteOne: "src/handlers/delete-one.ts",
} as const;
const STAGE = ["--stage", "dev", "--region", "eu-west-1"];
/**
 * The service's node_modules holds what its package.json names (and what those need), not this
 * project's hundreds of packages: Serverless zips node_modules less the dev dependencies, so a
 * package nobody declared would land in the zip and hide what the service really ships.
 */
const DEV_TOOLS = ["typescript", "@types/aws-lambda", "@types/node", "undici-types"];

type FunctionKey = keyof typeof HANDLERS;

interface Adopted {
  readonly copy: ProjectCopy;
  readonly template: Template;
  /** The service's zip, as `serverless package` wrote it, unzipped. */
  readonly unzipped: string;
  readonly entries: readonly string[];
}

/** A copy of the fixture service with a node_modules of its own, run by the given CLI. */
async function copyFixture(major: ServerlessMajor): Promise<ProjectCopy> {
  const copy = await copyProject(`adoption-tsc-v${major}`, { serverless: major });
  for (const name of ["serverless.yml", "package.json", "tsconfig.json", "functions", "infra"]) {
    await rm(join(copy.dir, name), { recursive: true, force: true });
  }
  await cp(FIXTURE, copy.dir, { recursive: true });
  const modules = join(copy.dir, "node_modules");
  await rm(modules, { recursive: true });
  await mkdir(join(modules, "@types"), { recursive: true });
  const serverlessCli = major === 3 ? "serverless3" : "serverless";
  await symlink(join(PROJECT_ROOT, "node_modules", serverlessCli), join(modules, "serverless"));
  // Copied, not linked: npm takes a linked folder for a package of its own, so what it needs
  // (undici-types for @types/node) would look undeclared and be zipped
  for (const name of DEV_TOOLS) {
    await cp(join(PROJECT_ROOT, "node_modules", name), join(modules, name), { recursive: true });
  }
  return copy;
}

/** Runs a command in the copy; a failure carries what it printed, where its message is. */
async function inCopy(copy: ProjectCopy, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, args, {
      cwd: copy.dir,
      env: copy.env,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`${args.slice(1).join(" ")} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** The service's own build step, `tsc -p tsconfig.json`, with its own TypeScript. */
function compile(copy: ProjectCopy): Promise<string> {
  return inCopy(copy, [join(copy.dir, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
}

async function adoptAndPackage(copy: ProjectCopy): Promise<Adopted> {
  await adoptVitals(copy.dir, registry, Object.values(HANDLERS));
  await compile(copy);
  await inCopy(copy, [copy.cli, "package", ...STAGE]);
  const output = join(copy.dir, ".serverless");
  const text = await readFile(join(output, "cloudformation-template-update-stack.json"), "utf8");
  const unzipped = join(copy.dir, ".tmp", "unzipped");
  await run("unzip", ["-q", join(output, "books.zip"), "-d", unzipped]);
  const { stdout } = await run("unzip", ["-Z1", join(output, "books.zip")], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const entries = stdout.split("\n").filter((entry) => entry !== "");
  return { copy, template: JSON.parse(text) as Template, unzipped, entries };
}

let packed: Packed;
let registry: Registry;
let v3: Adopted;
let v4: Adopted;
/** Removed after the tests even when a step of beforeAll fails. */
const copies: ProjectCopy[] = [];
/** What the service granted before adoption, as the v3 CLI resolves it. */
let grantedBefore: Statement[];

beforeAll(async () => {
  [packed, registry] = await Promise.all([packPackage("adoption-tsc"), startRegistry()]);
  await registry.publish(packed.tarball);
  const [copy3, copy4] = await Promise.all([copyFixture(3), copyFixture(4)]);
  copies.push(copy3, copy4);
  const printed = JSON.parse(
    await inCopy(copy3, [copy3.cli, "print", "--format", "json", ...STAGE]),
  ) as { provider: { iam: { role: { statements: Statement[] } } } };
  grantedBefore = printed.provider.iam.role.statements;
  await allowServerlessV4(copy4.dir);
  // One after the other: two CLIs at once on a shared machine only make both slower
  v3 = await adoptAndPackage(copy3);
  v4 = await adoptAndPackage(copy4);
}, 600_000);

afterAll(async () => {
  await Promise.all([...copies.map((copy) => copy.remove()), registry?.stop(), packed?.remove()]);
});

describe("a service built with tsc alone, adopted by following docs/existing-services.md", () => {
  it("compiles with its own tsconfig, untouched (lib es2019, module commonjs)", async () => {
    // Prepare
    const tsconfig = await readFile(join(v4.copy.dir, "tsconfig.json"), "utf8");
    const manifest = JSON.parse(await readFile(join(v4.copy.dir, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };

    // Act
    const printed = await compile(v4.copy);

    // Assess: the package is a dependency, so Serverless ships it; the build read its types
    expect(printed).toBe("");
    expect(tsconfig).toBe(await readFile(join(FIXTURE, "tsconfig.json"), "utf8"));
    expect(JSON.parse(tsconfig).compilerOptions).toMatchObject({
      lib: ["es2019"],
      module: "commonjs",
      moduleResolution: "node",
      outDir: "build",
    });
    expect(manifest.dependencies).toHaveProperty("lambda-vitals");
    const built = await readFile(join(v4.copy.dir, "build/handlers/find-one.js"), "utf8");
    expect(built).toMatch(/require\("lambda-vitals"\)/);
  }, 180_000);

  it("packages under Serverless v3 and v4 with a role per function and the dashboard", () => {
    for (const { template } of [v3, v4]) {
      // Assess
      expect(template.Resources.VitalsDashboard?.Type).toBe("AWS::CloudWatch::Dashboard");
      expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
      expect(template.Resources.BooksTable?.Type).toBe("AWS::DynamoDB::Table");
      for (const key of Object.keys(HANDLERS) as FunctionKey[]) {
        expect(propertiesOf(template, key).Handler).toMatch(/^build\/handlers\/[a-z-]+\.handler$/);
        expect(environmentOf(template, key)).toMatchObject({
          VITALS_NAMESPACE: "LambdaVitals/dev",
          VITALS_SERVICE: "books",
          BOOKS_TABLE: "books-dev-books",
        });
      }
    }
  });

  it("keeps every grant of provider.iam.role.statements in every function's role", () => {
    // Prepare: the fixture is worth testing only if it grants something
    expect(grantedBefore).toHaveLength(2);

    for (const { template } of [v3, v4]) {
      for (const key of Object.keys(HANDLERS) as FunctionKey[]) {
        // Act
        const statements = policyStatements(template, key, `${key}-service`);

        // Assess
        for (const granted of grantedBefore) expect(statements, key).toContainEqual(granted);
      }
    }
  });

  it("gives the dashboard a row for each of the five REST routes", () => {
    // Prepare
    const expected = [
      "DELETE /books/{id}",
      "GET /books",
      "GET /books/{id}",
      "POST /books",
      "PUT /books/{id}",
    ];

    // Assess
    for (const { template } of [v3, v4]) {
      expect([...dashboardRoutes(template)].sort()).toEqual(expected);
    }
  });

  it("ships the compiled handlers and the package's built files, and no dev tool", () => {
    for (const { entries } of [v3, v4]) {
      // Prepare
      const vitals = entries.filter((entry) => entry.startsWith("node_modules/lambda-vitals/"));
      const shipped = vitals.map((entry) => entry.slice("node_modules/lambda-vitals/".length));

      // Assess
      expect(entries).toContain("build/handlers/find-one.js");
      expect(shipped).toContain("dist/index.cjs");
      expect(
        shipped.filter((file) => !/^(dist\/|package\.json$|[A-Z]+\.md$|LICENSE)/.test(file)),
      ).toEqual([]);
      expect(entries.filter((entry) => entry.startsWith("src/"))).toEqual([]);
      // @types/aws-lambda alone: lambda-vitals names it an optional peer, and npm counts an
      // installed peer of a production dependency as production, so Serverless zips it
      // (declarations only; nothing in it runs)
      const tools = [...DEV_TOOLS, "serverless"];
      const zipped = tools.filter((tool) =>
        entries.some((e) => e.startsWith(`node_modules/${tool}/`)),
      );
      expect(zipped).toEqual(["@types/aws-lambda"]);
    }
  });
});

describe("the adopted handlers, loaded from the unzipped package", () => {
  type Handler = (
    event: unknown,
    context: Context,
    callback: (error: unknown, result?: unknown) => void,
  ) => Promise<{ statusCode: number }> | undefined;

  /** The wrapped handler as Lambda loads it: `require` from the zip's contents, not the copy. */
  function load(adopted: Adopted, key: FunctionKey): Handler {
    const [file = "", name = ""] = String(propertiesOf(adopted.template, key).Handler).split(".");
    const requireFromZip = createRequire(join(adopted.unzipped, "package.json"));
    const resolved = requireFromZip.resolve(`./${file}.js`);
    expect(requireFromZip.resolve("lambda-vitals", { paths: [resolved] })).toContain(
      join(adopted.unzipped, "node_modules/lambda-vitals/dist/"),
    );
    return (requireFromZip(resolved) as Record<string, Handler>)[name] as Handler;
  }

  let stdout: ReturnType<typeof captureStdout>;

  beforeAll(() => {
    const environment = environmentOf(v3.template, "find");
    vi.stubEnv("VITALS_NAMESPACE", environment.VITALS_NAMESPACE);
    vi.stubEnv("VITALS_SERVICE", environment.VITALS_SERVICE);
  });

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  afterEach(() => {
    stdout?.restore();
  });

  const cases: readonly {
    readonly key: FunctionKey;
    readonly request: HttpRequest;
    readonly status: number;
  }[] = [
    {
      key: "create",
      request: {
        method: "POST",
        path: "/books",
        route: "/books",
        body: '{"title":"t","author":"a"}',
      },
      status: 201,
    },
    { key: "create", request: { method: "POST", path: "/books", route: "/books" }, status: 400 },
    {
      key: "update",
      request: { method: "PUT", path: "/books/1", route: "/books/{id}", body: '{"title":"u"}' },
      status: 200,
    },
    { key: "find", request: { path: "/books", route: "/books" }, status: 200 },
    { key: "findOne", request: { path: "/books/2", route: "/books/{id}" }, status: 200 },
    { key: "findOne", request: { path: "/books/9", route: "/books/{id}" }, status: 404 },
    {
      key: "deleteOne",
      request: { method: "DELETE", path: "/books/1", route: "/books/{id}" },
      status: 204,
    },
    {
      key: "deleteOne",
      request: { method: "DELETE", path: "/books/0", route: "/books/{id}" },
      status: 500,
    },
  ];

  for (const { key, request, status } of cases) {
    const route = `${request.method ?? "GET"} ${request.route}`;
    it(`${key} writes one valid line for a ${status} on ${route}, a row of the dashboard`, async () => {
      for (const adopted of [v3, v4]) {
        // Prepare
        const handler = load(adopted, key);
        const rows = dashboardRoutes(adopted.template);
        stdout = captureStdout();

        // Act: a callback handler is turned into an async one by withVitals
        const response = await handler(restApiEvent(request), lambdaContext(), () => {});

        // Assess
        const lines = stdout.lines();
        stdout.restore();
        expect(response?.statusCode).toBe(status);
        expect(lines).toHaveLength(1);
        const line = lines[0] ?? "";
        expect(emfProblems(line)).toEqual([]);
        const document = JSON.parse(line) as Record<string, unknown>;
        expect(document[FIELDS.status]).toBe(status);
        expect(document[METRICS.requests.name]).toBe(1);
        expect(document[DIMENSIONS.service]).toBe("books");
        expect(document[DIMENSIONS.route]).toBe(route);
        expect(rows).toContain(route);
      }
    });
  }
});
