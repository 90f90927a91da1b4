/**
 * The dashboard page in headless Chromium when what the functions print is bad: malformed,
 * oversized and non-EMF lines are counted and shown, a handler's error message is shown as text
 * (never markup), and an update the page cannot read is counted while the page keeps going.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServiceConfig } from "../../infra/service";
import { buildStack } from "../../infra/stack";
import { createMetricStore } from "../../local";
import { noEvaluator } from "../../local/alarm-states";
import { readDeployedDashboard } from "../../local/deployed-dashboard";
import { type DevServer, projectAssets, startDevServer } from "../../local/dev-server";
import { createIntake } from "../../local/intake";
import { emfLine } from "../fixtures/emf-lines";
import { PROJECT_ROOT } from "../fixtures/project-copy";
import { type Browser, launchChromium } from "./browser";

const HOSTILE = '<img src=x onerror="window.__injected = 1">';

let server: DevServer;
let browser: Browser;
const store = createMetricStore();
const intake = createIntake(store, Date.now);

function canonical(requestId: string, members: Record<string, unknown> = {}): string {
  return emfLine({
    timestamp: Date.now(),
    namespace: "Shop/dev",
    members: { requestId, method: "GET", path: "/orders/1", status: 200, ...members },
  });
}

beforeAll(async () => {
  const input = readServiceConfig({
    service: "shop",
    stage: "dev",
    region: "eu-west-1",
    functions: { getOrder: { events: [{ httpApi: "GET /orders/{id}" }] } },
    vitals: {
      namespace: "Shop/dev",
      alarms: {
        errorRatePercent: 5,
        errorRateMinRequests: 5,
        latencyP99Ms: 1500,
        timeouts: 1,
        email: "",
      },
    },
  });
  const dashboard = readDeployedDashboard(buildStack(input).Resources as never, "eu-west-1");
  server = await startDevServer({
    assets: projectAssets(PROJECT_ROOT),
    port: 0,
    store,
    counts: intake.counts,
    invocations: intake.invocations,
    dashboard: () => dashboard,
    evaluator: noEvaluator,
    now: Date.now,
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the dashboard page with bad input", () => {
  it("counts and shows rejected and other lines, and shows an error message as text", async () => {
    // Prepare: what a misbehaving handler might print
    intake.read({
      kind: "line",
      text: canonical("aaaaaaaa-0001", {
        status: 500,
        Errors: 1,
        errorType: "Error",
        errorMessage: HOSTILE,
      }),
    });
    intake.read({ kind: "line", text: '{"_aws":{"Timestamp":' });
    intake.read({
      kind: "oversized",
      bytes: 2_000_000,
      head: '{"_aws":{"Timestamp":1795700000000',
    });
    intake.read({ kind: "line", text: "plain text from console.log" });

    // Act
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(server.url);
    const row = page.locator('tr[data-request-id="aaaaaaaa-0001"]');
    await row.waitFor({ timeout: 15_000 });

    // Assess
    const counts = page.locator("#counts");
    expect(await counts.getAttribute("data-rejected")).toBe("2");
    expect(await counts.getAttribute("data-other")).toBe("1");
    expect(await page.locator("#rejections li").allTextContents()).toEqual([
      expect.stringContaining("the log event is over 1 MB (2000000 bytes)"),
      expect.stringContaining("not JSON"),
    ]);
    expect(await row.locator("td.error").textContent()).toBe(`Error: ${HOSTILE}`);
    expect(await page.evaluate("window.__injected")).toBeUndefined();
    expect(await page.locator("img").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("counts an update it cannot read, shows it, and draws the next one", async () => {
    // Prepare
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.locator("[data-kind=metric]").first().waitFor({ timeout: 15_000 });
    await page.route("**/api/state", (route) =>
      route.fulfill({ status: 200, contentType: "application/json", body: "<html>proxy error" }),
    );

    // Act: new data arrives while the answers are unreadable, then while they are fine again
    intake.read({ kind: "line", text: canonical("bbbbbbbb-0002") });
    server.changed();
    await page.waitForFunction(
      'document.querySelector("#counts")?.getAttribute("data-unreadable") === "1"',
      undefined,
      { timeout: 15_000 },
    );
    await page.unroute("**/api/state");
    intake.read({ kind: "line", text: canonical("cccccccc-0003") });
    server.changed();

    // Assess
    await page.locator('tr[data-request-id="cccccccc-0003"]').waitFor({ timeout: 15_000 });
    expect(await page.locator("#counts").textContent()).toContain("1 unreadable updates");
    expect(await page.locator('tr[data-request-id="bbbbbbbb-0002"]').count()).toBe(1);
  });
});
