/**
 * `npm start` as a developer uses it: the launcher on free ports on 127.0.0.1 in a copy of the
 * project, real requests to every route (failing ones included), the dashboard page in Debian's
 * headless Chromium, the terminal's lines, the raw EMF file, and /health reading local traffic.
 * The launcher runs in its own process group, which is stopped afterwards, also on failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { cp, mkdir, readFile } from "node:fs/promises";
import { createServer as createHttpServer, request } from "node:http";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, groupAlive, stopGroup } from "../fixtures/processes";
import { copyProject, PROJECT_ROOT, type ProjectCopy } from "../fixtures/project-copy";
import { type Browser, launchChromium } from "./browser";

const OUTPUT = join(PROJECT_ROOT, "test-output");
const ROUTES = {
  getOrder: "GET /orders/{id}",
  createOrder: "POST /orders",
  invoice: "GET /orders/{id}/invoice",
  health: "GET /health",
} as const;
/**
 * The service's requests and failures sent: /health judges the error rate from
 * errorRateMinRequests (5) a minute over its 5-minute window, 25 requests; and 10 failures on one
 * route put at least 5 in one minute, the charts' guard, even when a minute ends among them.
 */
const GOOD_ORDERS = 12;
const INVOICE_FAILURES = 10;
/** The title the generator gives an error-rate chart, with the template's default guard. */
const errorRateTitle = (of: string) => `Error rate % (0 below 5 requests/min) · ${of}`;

interface Started {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly invokeUrl: string;
  readonly pageUrl: string;
  readonly output: () => string;
}

let copy: ProjectCopy;
let started: Started;
let browser: Browser | undefined;
/** Request ids the responses named, and how many requests each route got. */
const answered: string[] = [];
const sent: Record<string, number> = {};

async function startNpmStart(dir: string, env: NodeJS.ProcessEnv): Promise<Started> {
  const [http, lambda, dashboard] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      "local/start.mjs",
      "--httpPort",
      `${http}`,
      "--lambdaPort",
      `${lambda}`,
      "--dashboardPort",
      `${dashboard}`,
    ],
    { cwd: dir, env: { ...env, NO_COLOR: "1" }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
  );
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  const result = {
    child,
    baseUrl: `http://127.0.0.1:${http}`,
    invokeUrl: `http://127.0.0.1:${lambda}`,
    pageUrl: `http://127.0.0.1:${dashboard}`,
    output: () => text,
  };
  try {
    await until(
      () => text.includes(`dashboard: ${result.pageUrl}`),
      90_000,
      () => `no dashboard line:\n${text}`,
    );
    // The page needs the template from serverless print, which runs beside serverless-offline
    await until(
      async () => (await state(result.pageUrl)).dashboard?.widgets !== undefined,
      60_000,
      () => text,
    );
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  return result;
}

interface HealthBody {
  readonly status?: string;
  readonly checks?: Record<
    string,
    { readonly output?: string; readonly observedValue?: unknown }[]
  >;
}

interface State {
  readonly dashboard?: { readonly widgets?: unknown[]; readonly error?: string };
  readonly counts: {
    readonly invocations: number;
    readonly emfAccepted: number;
    readonly emfRejected: number;
  };
  readonly invocations: { readonly requestId: string; readonly route: string }[];
}

async function state(pageUrl: string): Promise<State> {
  return (await (await fetch(`${pageUrl}/api/state`)).json()) as State;
}

async function until(
  done: () => boolean | Promise<boolean>,
  ms: number,
  why: () => string,
): Promise<void> {
  for (const start = Date.now(); Date.now() - start < ms; ) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`waited ${ms} ms: ${why()}`);
}

async function call(route: string, path: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(`${started.baseUrl}${path}`, init);
  sent[route] = (sent[route] ?? 0) + 1;
  const body = (await response.json().catch(() => ({}))) as { requestId?: unknown; id?: unknown };
  const id = body.requestId ?? (response.status === 201 ? body.id : undefined);
  if (typeof id === "string") answered.push(id);
  return response;
}

/** The series a metric widget drew, as the page keeps them on the widget. */
async function drawn(
  page: Page,
  title: string,
): Promise<{ label: string; points: (number | null)[] }[]> {
  const widget = page.locator(`[data-kind=metric][data-title="${title}"]`);
  const text = await widget.getAttribute("data-series", { timeout: 10_000 });
  return JSON.parse(text ?? "[]");
}

function total(series: { label: string; points: (number | null)[] }[], label: string): number {
  const found = series.find((s) => s.label === label);
  if (found === undefined) throw new Error(`no series "${label}" in ${JSON.stringify(series)}`);
  return found.points.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

beforeAll(async () => {
  copy = await copyProject("start");
  await cp(join(PROJECT_ROOT, "local"), join(copy.dir, "local"), { recursive: true });
  started = await startNpmStart(copy.dir, copy.env);
  // Prepare: every route, failing ones included
  for (let i = 0; i < GOOD_ORDERS; i += 1) await call(ROUTES.getOrder, "/orders/1001");
  await call(ROUTES.getOrder, "/orders/nope");
  const order = { channel: "web", lines: [{ sku: "SKU-1", quantity: 2 }] };
  for (let i = 0; i < 2; i += 1) {
    await call(ROUTES.createOrder, "/orders", { method: "POST", body: JSON.stringify(order) });
  }
  await call(ROUTES.createOrder, "/orders", { method: "POST", body: "{not json" });
  for (let i = 0; i < INVOICE_FAILURES; i += 1) await call(ROUTES.invoice, "/orders/1001/invoice");
  await call(ROUTES.health, "/health");
  const expected = Object.values(sent).reduce((a, b) => a + b, 0);
  await until(
    async () => (await state(started.pageUrl)).counts.invocations >= expected,
    10_000,
    started.output,
  );
  await mkdir(OUTPUT, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  const pid = started?.child.pid;
  if (started !== undefined) await stopGroup(started.child);
  await copy?.remove();
  if (pid !== undefined && groupAlive(pid)) throw new Error(`process group ${pid} still running`);
});

describe("npm start", () => {
  it("prints one short line per invocation, errors with type and message, and keeps the raw EMF in .serverless/emf.log", async () => {
    // Assess: readable lines, no raw JSON on the terminal
    const output = started.output();
    expect(output).toMatch(
      /^GET \/orders\/\{id\} {2}200 {2}\d+\.\d ms( {2}cold)? {2}[0-9a-f]{8}$/m,
    );
    expect(output).toMatch(
      /^GET \/orders\/\{id\}\/invoice {2}500 {2}.* {2}Error: invoice renderer unreachable/m,
    );
    expect(output).toMatch(/^GET \/orders\/\{id\} {2}404 {2}.*HttpError: order "nope" not found$/m);
    expect(output).not.toContain('{"_aws"');
    const raw = (await readFile(join(copy.dir, ".serverless", "emf.log"), "utf8"))
      .trim()
      .split("\n");
    const { counts } = await state(started.pageUrl);
    expect(raw.length).toBe(counts.emfAccepted + counts.emfRejected);
    expect(raw.every((line) => JSON.parse(line)._aws !== undefined)).toBe(true);
  });

  it("draws the deployed dashboard over the local requests, and lists every answered request id", async () => {
    // Act
    browser = await launchChromium();
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(started.pageUrl);
    await page.locator("[data-kind=metric]").first().waitFor({ timeout: 20_000 });
    await page.locator(`tr[data-request-id="${answered.at(-1)}"]`).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(OUTPUT, "local-dashboard.png"), fullPage: true });

    // Assess: each route's request chart counts what was sent to it
    for (const [route, count] of Object.entries(sent)) {
      if (route === ROUTES.health) continue; // the health function counts per route only
      expect(total(await drawn(page, `Requests · ${route}`), "requests"), route).toBe(count);
    }
    expect(total(await drawn(page, `Requests · ${ROUTES.health}`), "requests")).toBe(1);
    // the failures: all of the invoice route's, and a share of the service's requests
    const invoiceRate = await drawn(page, errorRateTitle(ROUTES.invoice));
    expect(
      Math.max(
        ...(invoiceRate.find((s) => s.label === "5xx rate %")?.points ?? []).map((v) => v ?? 0),
      ),
    ).toBe(100);
    const serviceRate = await drawn(page, errorRateTitle("service"));
    expect(
      Math.max(
        ...(serviceRate.find((s) => s.label === "5xx rate %")?.points ?? []).map((v) => v ?? 0),
      ),
    ).toBeGreaterThan(0);
    expect(total(await drawn(page, "Requests · service"), "5xx / thrown")).toBe(INVOICE_FAILURES);
    // health: the scheduled run npm start makes at once, overall and per check
    const healthTitle = await page
      .locator("[data-kind=metric][data-title^='Health']")
      .getAttribute("data-title");
    const health = await drawn(page, healthTitle ?? "");
    expect(health.filter((s) => s.points.some((v) => v !== null)).length).toBeGreaterThan(1);
    // the alarm widget: the states the local evaluator computed, one per alarm
    const alarmStates = await page.locator(".alarm-list .state").allTextContents();
    expect(alarmStates.length).toBeGreaterThanOrEqual(4);
    for (const state of alarmStates) expect(["OK", "ALARM", "INSUFFICIENT_DATA"]).toContain(state);
    // the table: every request id a response named
    const listed = await page
      .locator("#invocations tbody tr")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-request-id")));
    expect(listed).toEqual(expect.arrayContaining(answered));
    expect(answered.length).toBeGreaterThanOrEqual(10);
    // filtered like the README's "errors by route" query
    await page.selectOption("#route-filter", ROUTES.invoice);
    await page.selectOption("#status-filter", "5xx");
    const statuses = await page.locator("#invocations tbody td.status").allTextContents();
    expect(statuses).toEqual(Array(INVOICE_FAILURES).fill("500"));
    await page.screenshot({ path: join(OUTPUT, "local-dashboard-filtered.png") });
    expect(errors).toEqual([]);
  });

  it("/health reads the local traffic and fails (503) once the minute with the burst of 5xx is complete", async () => {
    // Act: the checks read whole minutes, so the burst counts from the next minute on
    // the details through the invoke API, as an operator with lambda:InvokeFunction reads them
    let last: { status: number; body: HealthBody } | undefined;
    await until(
      async () => {
        const invoked = await fetch(
          `${started.invokeUrl}/2015-03-31/functions/lambda-vitals-dev-health/invocations`,
          { method: "POST", body: "{}" },
        );
        const result = (await invoked.json()) as { statusCode: number; body: string };
        last = { status: result.statusCode, body: JSON.parse(result.body) as HealthBody };
        const answer = await fetch(`${started.baseUrl}/health`); // the public one: status alone
        expect(await answer.json()).toEqual({
          status: answer.status === 503 ? "fail" : expect.any(String),
        });
        return result.statusCode === 503 && answer.status === 503;
      },
      100_000,
      () => JSON.stringify(last),
    );

    // Assess: the error rate of what was sent (10 failures of 26 requests), not "not queried"
    const requests = Object.entries(sent)
      .filter(([route]) => route !== ROUTES.health) // the health function counts per route only
      .reduce((sum, [, count]) => sum + count, 0);
    expect(requests).toBeGreaterThanOrEqual(25);
    expect(last?.body.status).toBe("fail");
    const errorRate = last?.body.checks?.["service:errorRate"]?.[0];
    expect(errorRate).toMatchObject({
      status: "fail",
      observedValue: Math.round((INVOICE_FAILURES / requests) * 10_000) / 100,
    });
    expect(JSON.stringify(last?.body)).not.toContain("not queried offline");
  }, 120_000);

  it("serves no other origin: a page elsewhere cannot read /health, create an order or invoke, and nothing lands", async () => {
    // Prepare: a second origin, http://attacker.example:<port>, that Chromium resolves to 127.0.0.1
    const attacker = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!doctype html><title>elsewhere</title>");
    });
    attacker.listen(0, "127.0.0.1");
    await once(attacker, "listening");
    const attackerPort = (attacker.address() as { port: number }).port;
    const other = await launchChromium(["--host-resolver-rules=MAP attacker.example 127.0.0.1"]);
    const routesOf = async () => (await state(started.pageUrl)).invocations.map((i) => i.route);
    const countOf = (routes: string[], route: string) => routes.filter((r) => r === route).length;
    const before = await routesOf();

    try {
      // Act: what the probe's page did, from the page
      const page = await other.context.newPage();
      await page.goto(`http://attacker.example:${attackerPort}/`);
      const tried = await page.evaluate(
        async ({ api, invoke }) => {
          const attempt = async (url: string, init?: RequestInit) => {
            try {
              const response = await fetch(url, init);
              return { read: true, status: response.status, body: await response.text() };
            } catch (error) {
              return { read: false, error: String(error) };
            }
          };
          const order = JSON.stringify({ channel: "web", lines: [{ sku: "SKU-1", quantity: 1 }] });
          const event = JSON.stringify({
            version: "2.0",
            routeKey: "GET /made-up-by-a-page",
            rawPath: "/made-up-by-a-page",
            requestContext: { http: { method: "GET", path: "/made-up-by-a-page" } },
          });
          return {
            health: await attempt(`${api}/health`, { credentials: "include" }),
            order: await attempt(`${api}/orders`, {
              method: "POST",
              credentials: "include",
              headers: { "content-type": "text/plain" },
              body: order,
            }),
            invoke: await attempt(
              `${invoke}/2015-03-31/functions/lambda-vitals-dev-getOrder/invocations`,
              { method: "POST", body: event },
            ),
            // a no-cors GET carries no Origin: the page cannot read it, but it must not run either
            blind: await attempt(`${api}/orders/1001`, { mode: "no-cors" }),
          };
        },
        { api: started.baseUrl, invoke: started.invokeUrl },
      );
      // DNS rebinding: the attacker's name now points at each of npm start's ports
      const rebound = [];
      for (const url of [started.baseUrl, started.invokeUrl, started.pageUrl]) {
        const port = new URL(url).port;
        const response = await page.goto(`http://attacker.example:${port}/api/state`);
        rebound.push({ status: response?.status(), body: (await response?.text()) ?? "" });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000)); // anything invoked would log by now

      // Assess: nothing readable, nothing run, nothing in the store
      expect(tried.health).toMatchObject({ read: false });
      expect(tried.order).toMatchObject({ read: false });
      expect(tried.invoke).toMatchObject({ read: false });
      expect(tried.blind).toMatchObject({ read: true, status: 0 }); // opaque, as no-cors always is
      for (const answer of rebound) {
        expect(answer.status).toBe(403);
        expect(answer.body).toMatch(
          /^npm start: Host "attacker\.example:\d+" is not 127\.0\.0\.1:/,
        );
      }
      const after = await routesOf();
      expect(after).not.toContain("GET /made-up-by-a-page");
      for (const route of [ROUTES.createOrder, ROUTES.getOrder, ROUTES.health]) {
        expect(countOf(after, route), route).toBe(countOf(before, route));
      }
    } finally {
      await other.close();
      attacker.close();
    }
  });

  it("answers only the Host names it printed, on the API, invoke and dashboard ports", async () => {
    // Prepare
    const hostAnswer = (url: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const target = new URL(url);
        const req = request(
          { host: "127.0.0.1", port: target.port, path: "/health/live", headers: { host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end();
      });

    // Act and assess
    for (const url of [started.baseUrl, started.invokeUrl, started.pageUrl]) {
      const port = new URL(url).port;
      expect(await hostAnswer(url, "attacker.example"), url).toBe(403);
      expect(await hostAnswer(url, `attacker.example:${port}`), url).toBe(403);
      expect(await hostAnswer(url, `127.0.0.1.attacker.example:${port}`), url).toBe(403);
      expect(await hostAnswer(url, `localhost:${port}`), url).not.toBe(403);
      expect(await hostAnswer(url, `127.0.0.1:${port}`), url).not.toBe(403);
    }
    // and the API's answers grant no origin, its own included: serverless-offline's echo is taken off
    const answer = await fetch(`${started.baseUrl}/health/live`, {
      headers: { origin: started.baseUrl },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
  });
});
