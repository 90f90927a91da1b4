/**
 * `npx lambda-vitals dev` in a service that installed the package from a registry on 127.0.0.1
 * and followed docs/existing-services.md, local development included: the service's own
 * Serverless v3 and serverless-offline serve it on 127.0.0.1, each request gets one line in the
 * terminal, the dashboard page draws the service's own routes from the generator compiled into the
 * bin, and serverless-offline's own timeout is shown as the request it ended. The command runs in
 * its own process group, which is stopped afterwards, also on failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, stopGroup } from "../fixtures/processes";
import type { ProjectCopy } from "../fixtures/project-copy";
import { type Packed, packPackage } from "../package/packed";
import { type Registry, startRegistry } from "../package/registry";
import { copyFixture } from "./fixture-copy";
import { addLocalDevelopment, adoptVitals, replaceOnce } from "./guide-steps";

const HANDLERS = [
  "src/handlers/list-todos.ts",
  "src/handlers/get-todo.ts",
  "src/handlers/create-todo.ts",
  "src/handlers/legacy.ts",
];

let packed: Packed;
let registry: Registry;
let copy: ProjectCopy;
let child: ChildProcess;
let output = "";
let ports: { http: number; lambda: number; dashboard: number };

async function until(done: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  for (const start = Date.now(); Date.now() - start < ms; ) {
    if (await done()) return;
    if (child.exitCode !== null || child.signalCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`waited up to ${ms} ms; lambda-vitals dev printed:\n${output}`);
}

/**
 * A function the fixture does not have, added by this test alone: its module takes longer to
 * load than its one-second timeout, which serverless-offline counts from before the load.
 */
async function addSlowFunction(dir: string): Promise<void> {
  await writeFile(
    join(dir, "src/handlers/slow.ts"),
    [
      'import { withVitals } from "lambda-vitals";',
      "const loading = Date.now();",
      "while (Date.now() - loading < 1500) {}",
      'export const handler = withVitals(async () => ({ statusCode: 200, body: "late" }));',
      "",
    ].join("\n"),
  );
  const path = join(dir, "serverless.yml");
  const config = await readFile(path, "utf8");
  await writeFile(
    path,
    replaceOnce(
      config,
      "functions:\n",
      "functions:\n  slow:\n    handler: src/handlers/slow.handler\n    timeout: 1\n" +
        "    events:\n      - http: GET /slow\n",
    ),
  );
}

beforeAll(async () => {
  [packed, registry] = await Promise.all([packPackage("dev-command"), startRegistry()]);
  await registry.publish(packed.tarball);
  copy = await copyFixture(3, "dev-command");
  await adoptVitals(copy.dir, registry, HANDLERS);
  await addLocalDevelopment(copy.dir);
  await addSlowFunction(copy.dir);
  ports = { http: await freePort(), lambda: await freePort(), dashboard: await freePort() };
  child = spawn(
    join(copy.dir, "node_modules", ".bin", "lambda-vitals"),
    [
      "dev",
      "--httpPort",
      `${ports.http}`,
      "--lambdaPort",
      `${ports.lambda}`,
      "--dashboardPort",
      `${ports.dashboard}`,
    ],
    {
      cwd: copy.dir,
      env: { ...copy.env, NO_COLOR: "1" },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.once("error", (error) => {
    output += `could not start: ${error.message}\n`;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
  }
  await until(() => output.includes(`dashboard: http://127.0.0.1:${ports.dashboard}`), 120_000);
}, 300_000);

afterAll(async () => {
  await stopGroup(child);
  await Promise.all([copy?.remove(), registry?.stop(), packed?.remove()]);
});

interface State {
  readonly counts: { readonly invocations: number; readonly emfRejected: number };
  readonly dashboard?: {
    readonly widgets?: { readonly title?: string }[];
    readonly error?: string;
  };
}

async function state(): Promise<State> {
  const response = await fetch(`http://127.0.0.1:${ports.dashboard}/api/state`);
  return (await response.json()) as State;
}

describe("npx lambda-vitals dev in an adopted service", () => {
  it("lists the routes at the addresses it listens on, not serverless-offline's sockets", () => {
    expect(output).toContain(`GET  | http://127.0.0.1:${ports.http}/todos/{id}`);
    expect(output).toContain(`ANY  | http://127.0.0.1:${ports.http}/legacy/{proxy*}`);
    expect(output).not.toMatch(/\.sock/);
  });

  it("answers each route on 127.0.0.1 and prints one line per request", async () => {
    // Act
    const base = `http://127.0.0.1:${ports.http}`;
    const statuses = [
      (await fetch(`${base}/todos`)).status,
      (await fetch(`${base}/todos/1`)).status,
      (
        await fetch(`${base}/todos`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"title":"dev"}',
        })
      ).status,
      (await fetch(`${base}/legacy/reports`)).status,
    ];
    await until(
      () => (output.match(/^(GET|POST|ANY) \S+ {2}\d{3} {2}/gm) ?? []).length >= 4,
      30_000,
    );

    // Assess
    expect(statuses).toEqual([200, 200, 201, 500]);
    expect(output).toMatch(/^GET \/todos {2}200 {2}[\d.]+ ms {2}cold {2}\S+$/m);
    expect(output).toMatch(/^GET \/todos\/\{id\} {2}200 {2}/m);
    expect(output).toMatch(/^POST \/todos {2}201 {2}/m);
    expect(output).toMatch(
      /^GET \/legacy\/\{proxy\+\} {2}500 .*Error: the reports backend is gone$/m,
    );
    // serverless-offline's own lines about each request are not printed beside them
    expect(output).not.toMatch(/\(λ: /);
    expect((await state()).counts).toMatchObject({ invocations: 4, emfRejected: 0 });
  }, 60_000);

  it("draws the dashboard the stack deploys, with the service's own routes", async () => {
    // Act
    await until(async () => (await state()).dashboard?.widgets !== undefined, 60_000);
    const titles = ((await state()).dashboard?.widgets ?? []).map((widget) => widget.title ?? "");

    // Assess
    // the catch-all has a row for each method it answers, as the deployed dashboard does
    for (const route of ["GET /todos", "GET /todos/{id}", "POST /todos", "GET /legacy/{proxy+}"]) {
      expect(
        titles.some((title) => title.endsWith(`· ${route}`)),
        route,
      ).toBe(true);
    }
    const page = await fetch(`http://127.0.0.1:${ports.dashboard}/`);
    const uplot = await fetch(`http://127.0.0.1:${ports.dashboard}/vendor/uPlot.iife.min.js`);
    expect([page.status, uplot.status]).toEqual([200, 200]);
    expect(await page.text()).toContain("lambda-vitals");
  }, 90_000);

  it("shows serverless-offline's own timeout as the request it ended, and why", async () => {
    // Act
    const response = await fetch(`http://127.0.0.1:${ports.http}/slow`);
    await until(() => output.includes("TIMEOUT"), 30_000);

    // Assess
    expect(response.status).toBe(504);
    expect(output).toMatch(
      /^ TIMEOUT {3}GET \/slow {2}504 {2}serverless-offline's 1 s timer for slow fired before the handler wrote a line\. In a cold worker/m,
    );
    expect(output).not.toContain("[504] - Lambda timeout.");
  }, 60_000);
});
