/**
 * An existing service adopts lambda-vitals by following docs/existing-services.md
 * (test/adoption/guide-steps.ts) and loses nothing: a TypeScript service with its own older
 * tsconfig, REST API events (one `method: any` on a `{proxy+}` path), a callback handler, a middy
 * handler and DynamoDB grants on the provider's role (test/fixtures/existing-service). The package
 * is published to a registry on 127.0.0.1 and installed from it. After the steps, with its
 * tsconfig untouched, it type-checks, packages under Serverless v3 and v4, every function's role
 * keeps every grant, the dashboard has a row for every route its handlers write, and each
 * invocation of the installed package writes exactly one valid EMF line. A service that still
 * lists a copied plugin, and one whose queue function lacks its permissions, get a message alone.
 */
import { execFile } from "node:child_process";
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Context } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DIMENSIONS, FIELDS, METRICS } from "../../functions/vitals/contract";
import { lambdaContext } from "../fixtures/context";
import { emfProblems } from "../fixtures/emf-spec";
import { type HttpRequest, restApiEvent } from "../fixtures/events";
import { PROJECT_ROOT, type ProjectCopy } from "../fixtures/project-copy";
import { captureStdout } from "../fixtures/stdout";
import type { Template } from "../infra/package";
import { type Packed, packPackage } from "../package/packed";
import { type Registry, startRegistry } from "../package/registry";
import { copyFixture, FIXTURE } from "./fixture-copy";
import { adoptVitals, allowServerlessV4, replaceOnce } from "./guide-steps";
import { dashboardRoutes, environmentOf, policyStatements, type Statement } from "./stack-reading";

const run = promisify(execFile);
const HANDLERS = {
  listTodos: "src/handlers/list-todos.ts",
  getTodo: "src/handlers/get-todo.ts",
  createTodo: "src/handlers/create-todo.ts",
  legacy: "src/handlers/legacy.ts",
} as const;
const STAGE = ["--stage", "dev", "--region", "eu-west-1"];

type FunctionKey = keyof typeof HANDLERS;

interface Adopted {
  readonly copy: ProjectCopy;
  readonly template: Template;
}

/** Runs the copy's CLI; a failure carries what the CLI printed, where its message is. */
async function serverless(copy: ProjectCopy, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [copy.cli, ...args], {
      cwd: copy.dir,
      env: copy.env,
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`serverless ${args.join(" ")} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

async function adoptAndPackage(copy: ProjectCopy): Promise<Template> {
  await adoptVitals(copy.dir, registry, Object.values(HANDLERS));
  await serverless(copy, ["package", ...STAGE]);
  const text = await readFile(
    join(copy.dir, ".serverless/cloudformation-template-update-stack.json"),
    "utf8",
  );
  return JSON.parse(text) as Template;
}

function functionIds(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === "AWS::Lambda::Function")
    .map(([id]) => id);
}

let packed: Packed;
let registry: Registry;
let v3: Adopted;
let v4: Adopted;
/** What the service granted before adoption, as the v3 CLI resolves it. */
let grantedBefore: Statement[];

beforeAll(async () => {
  [packed, registry] = await Promise.all([packPackage("adoption"), startRegistry()]);
  await registry.publish(packed.tarball);
  const [copy3, copy4] = await Promise.all([copyFixture(3), copyFixture(4)]);
  const printed = JSON.parse(await serverless(copy3, ["print", "--format", "json", ...STAGE])) as {
    provider: { iam: { role: { statements: Statement[] } } };
  };
  grantedBefore = printed.provider.iam.role.statements;
  await allowServerlessV4(copy4.dir);
  // One after the other: two CLIs at once on a shared machine only make both slower
  v3 = { copy: copy3, template: await adoptAndPackage(copy3) };
  v4 = { copy: copy4, template: await adoptAndPackage(copy4) };
}, 600_000);

afterAll(async () => {
  await Promise.all([v3?.copy.remove(), v4?.copy.remove(), registry?.stop(), packed?.remove()]);
});

describe("an existing service adopted by following docs/existing-services.md", () => {
  it("type-checks with its own tsconfig, untouched (lib es2019, module commonjs)", async () => {
    // Prepare
    const tsc = join(v4.copy.dir, "node_modules/typescript/bin/tsc");
    const tsconfig = await readFile(join(v4.copy.dir, "tsconfig.json"), "utf8");

    // Act
    const checked = run(process.execPath, [tsc, "-p", "tsconfig.json"], {
      cwd: v4.copy.dir,
      timeout: 150_000,
    });

    // Assess: the service's own settings; the package's declarations among what it reads
    await expect(checked).resolves.toMatchObject({ stdout: "" });
    expect(tsconfig).toBe(await readFile(join(FIXTURE, "tsconfig.json"), "utf8"));
    expect(JSON.parse(tsconfig).compilerOptions).toMatchObject({
      lib: ["es2019"],
      module: "commonjs",
    });
  }, 180_000);

  it("finds a type error in a handler through the package's declarations", async () => {
    // Prepare: proof that the check above reads the installed types, not `any`
    const tsc = join(v3.copy.dir, "node_modules/typescript/bin/tsc");
    const file = join(v3.copy.dir, HANDLERS.listTodos);
    const source = await readFile(file, "utf8");
    await writeFile(
      file,
      `${source}\nexport const wrong = withVitals(existingHandler, { rutes: [] });\n`,
    );

    try {
      // Act
      const checked = run(process.execPath, [tsc, "-p", "tsconfig.json"], {
        cwd: v3.copy.dir,
        timeout: 150_000,
      });

      // Assess
      await expect(checked).rejects.toMatchObject({
        stdout: expect.stringMatching(
          /list-todos\.ts.*'rutes' does not exist in type 'VitalsOptions'/,
        ),
      });
    } finally {
      await writeFile(file, source);
    }
  }, 180_000);

  it("packages under Serverless v3 and v4 with a role, the namespace and the dashboard", () => {
    for (const { template } of [v3, v4]) {
      // Assess
      expect(template.Resources.VitalsDashboard?.Type).toBe("AWS::CloudWatch::Dashboard");
      expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
      expect(template.Resources.TodosTable?.Type).toBe("AWS::DynamoDB::Table");
      expect(functionIds(template)).toHaveLength(Object.keys(HANDLERS).length);
      for (const key of Object.keys(HANDLERS) as FunctionKey[]) {
        expect(environmentOf(template, key)).toMatchObject({
          VITALS_NAMESPACE: "LambdaVitals/dev",
          VITALS_SERVICE: "todos",
          TODOS_TABLE: "todos-dev-todos",
        });
      }
    }
  });

  it("keeps every grant of provider.iam.role.statements, the Deny included, in every role", () => {
    // Prepare: the fixture is worth testing only if it grants what services grant
    expect(grantedBefore.map((statement) => statement.Effect)).toEqual(["Allow", "Allow", "Deny"]);

    for (const { template } of [v3, v4]) {
      for (const key of Object.keys(HANDLERS) as FunctionKey[]) {
        // Act: the policy the guide names, `<function>-service`
        const statements = policyStatements(template, key, `${key}-service`);

        // Assess
        for (const granted of grantedBefore) expect(statements, key).toContainEqual(granted);
      }
    }
  });

  it("gives the dashboard a row for every REST route, every method of the catch-all", () => {
    // Prepare
    const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    const expected = [
      "GET /todos",
      "GET /todos/{id}",
      "POST /todos",
      ...methods.map((method) => `${method} /legacy/{proxy+}`),
    ].sort();

    // Assess
    for (const { template } of [v3, v4]) {
      expect([...dashboardRoutes(template)].sort()).toEqual(expected);
    }
  });
});

/** A line of a JavaScript stack trace: `    at name (file.js:12:5)` or `    at file.js:12:5`. */
const STACK_FRAME = /^\s+at .*:\d+:\d+\)?$/m;

describe("what the plugin refuses, printed as a message without a stack trace", () => {
  /** Runs `serverless package` on the v3 copy with serverless.yml changed, then puts it back. */
  async function packageWith(change: (config: string) => string): Promise<string> {
    const path = join(v3.copy.dir, "serverless.yml");
    const config = await readFile(path, "utf8");
    await writeFile(path, change(config));
    try {
      await serverless(v3.copy, ["package", ...STAGE]);
      return "";
    } catch (error) {
      return (error as Error).message;
    } finally {
      await writeFile(path, config);
    }
  }

  it("a service that still lists the copied plugin beside the package's", async () => {
    // Prepare: the folders a service copied before the package, still in place
    await cp(join(PROJECT_ROOT, "infra"), join(v3.copy.dir, "deploy/vitals"), { recursive: true });

    // Act
    const printed = await packageWith((config) =>
      replaceOnce(
        config,
        "  - lambda-vitals/serverless\n",
        "  - lambda-vitals/serverless\n  - ./deploy/vitals/plugin.cjs\n",
      ),
    );

    // Assess: one message that says which line to keep; no second dashboard is ever built
    expect(printed).toMatch(/lambda-vitals is listed twice under plugins/);
    expect(printed).toMatch(/Keep lambda-vitals\/serverless/);
    expect(printed).not.toMatch(STACK_FRAME);
  }, 180_000);

  it("a queue function whose role would lack what its event needs", async () => {
    // Act
    const printed = await packageWith((config) =>
      replaceOnce(
        config,
        "functions:\n",
        [
          "functions:",
          "  worker:",
          "    handler: src/handlers/list-todos.handler",
          "    events:",
          "      - sqs: arn:aws:sqs:eu-west-1:123456789012:todos-queue",
          "",
        ].join("\n"),
      ),
    );

    // Assess: the message names every action; v3's own warnings below it are not a stack
    expect(printed).toMatch(/functions\.worker: its sqs event needs sqs:ReceiveMessage/);
    expect(printed).not.toMatch(STACK_FRAME);
  }, 180_000);
});

describe("the adopted handlers, run from the service's sources", () => {
  /** The wrapped handler of one function, as Lambda would load it. */
  async function load(key: FunctionKey) {
    const module = (await import(join(v4.copy.dir, HANDLERS[key]))) as {
      handler: (event: unknown, context: Context) => Promise<{ statusCode: number }>;
    };
    return module.handler;
  }

  let stdout: ReturnType<typeof captureStdout>;

  beforeAll(() => {
    // What the plugin set in the packaged template, so the line lands where the dashboard reads
    const environment = environmentOf(v4.template, "listTodos");
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
    readonly name: string;
    readonly key: FunctionKey;
    readonly request: HttpRequest;
    readonly status: number;
  }[] = [
    {
      name: "an async handler",
      key: "listTodos",
      request: { path: "/todos", route: "/todos" },
      status: 200,
    },
    {
      name: "a callback handler that answers on a later turn",
      key: "getTodo",
      request: { path: "/todos/1", route: "/todos/{id}" },
      status: 200,
    },
    {
      name: "a callback handler that answers at once",
      key: "getTodo",
      request: { path: "/todos/9", route: "/todos/{id}" },
      status: 404,
    },
    {
      name: "the middy handler with a JSON body",
      key: "createTodo",
      request: { method: "POST", path: "/todos", route: "/todos", body: '{"title":"adopt"}' },
      status: 201,
    },
    {
      name: "the middy handler with a body its parser refuses",
      key: "createTodo",
      request: { method: "POST", path: "/todos", route: "/todos", body: "{not json" },
      status: 415,
    },
    {
      name: "a catch-all route on another method",
      key: "legacy",
      request: { method: "DELETE", path: "/legacy/a/b", route: "/legacy/{proxy+}" },
      status: 200,
    },
    {
      name: "a handler that throws",
      key: "legacy",
      request: { method: "POST", path: "/legacy/reports", route: "/legacy/{proxy+}" },
      status: 500,
    },
  ];

  for (const { name, key, request, status } of cases) {
    it(`writes one valid line for ${name}, on a route the dashboard has a row for`, async () => {
      // Prepare
      const handler = await load(key);
      const rows = dashboardRoutes(v4.template);
      const environment = environmentOf(v4.template, key);
      stdout = captureStdout();

      // Act
      const response = await handler(restApiEvent(request), lambdaContext());

      // Assess
      const lines = stdout.lines();
      stdout.restore();
      expect(response.statusCode).toBe(status);
      expect(lines).toHaveLength(1);
      const line = lines[0] ?? "";
      expect(emfProblems(line)).toEqual([]);
      const document = JSON.parse(line) as Record<string, unknown> & {
        _aws: { CloudWatchMetrics: { Namespace: string }[] };
      };
      expect(document[FIELDS.status]).toBe(status);
      expect(document[METRICS.requests.name]).toBe(1);
      expect(document[DIMENSIONS.service]).toBe(environment.VITALS_SERVICE);
      expect(document._aws.CloudWatchMetrics[0]?.Namespace).toBe(environment.VITALS_NAMESPACE);
      const route = String(document[DIMENSIONS.route]);
      expect(route).toBe(`${request.method ?? "GET"} ${request.route}`);
      expect(rows).toContain(route);
    });
  }
});
