/**
 * The local HTTP server `npm start` runs beside serverless-offline, on 127.0.0.1: the dashboard
 * page and its data (`/api/state`, `/api/events` for updates as requests arrive), and the
 * CloudWatch `GetMetricData` API the health function is pointed at, and `DescribeAlarms`, which
 * `serverless vitals report` reads.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { AlarmEvaluator } from "./alarm-states";
import { isCloudWatchRequest, type LocalAlarm, serveCloudWatch } from "./cloudwatch-api";
import { viewDashboard } from "./dashboard-view";
import type { DeployedDashboard } from "./deployed-dashboard";
import { refusal } from "./gate";
import type { IntakeCounts } from "./intake";
import type { Invocation } from "./invocations";
import type { MetricStore } from "./metric-store";

/** Where the dashboard page's files are: the template's sources, or the package's copies. */
export interface PageAssets {
  /** The folder of index.html, page.js and page.css. */
  readonly page: string;
  /** uPlot's script and style sheet. */
  readonly uplotJs: string;
  readonly uplotCss: string;
}

export interface DevServerOptions {
  readonly assets: PageAssets;
  readonly port: number;
  readonly store: MetricStore;
  readonly counts: () => IntakeCounts;
  readonly invocations: () => readonly Invocation[];
  /** The deployed dashboard once `serverless print` has answered, or why it could not. */
  readonly dashboard: () => DeployedDashboard | Error | undefined;
  readonly evaluator: AlarmEvaluator;
  readonly now: () => number;
  /** How many minutes the charts show. */
  readonly minutes?: number;
}

export interface DevServer {
  readonly url: string;
  /** Tells open pages that new data arrived (coalesced: at most a few updates a second). */
  readonly changed: () => void;
  readonly close: () => Promise<void>;
}

const PAGE_FILES: Readonly<Record<string, readonly [string, string]>> = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/page.js": ["page.js", "text/javascript; charset=utf-8"],
  "/page.css": ["page.css", "text/css; charset=utf-8"],
};
const VENDOR_FILES: Readonly<Record<string, readonly ["uplotJs" | "uplotCss", string]>> = {
  "/vendor/uPlot.iife.min.js": ["uplotJs", "text/javascript; charset=utf-8"],
  "/vendor/uPlot.min.css": ["uplotCss", "text/css; charset=utf-8"],
};
const UPDATE_EVERY_MS = 250;
const KEEPALIVE_MS = 15_000;

/**
 * The page as the template has it: `local/page/`, and uPlot from the project's node_modules.
 *
 * @example
 * projectAssets(process.cwd()).page; // "/path/to/project/local/page"
 */
export function projectAssets(root: string): PageAssets {
  const require = createRequire(join(root, "package.json"));
  return {
    page: join(root, "local", "page"),
    uplotJs: require.resolve("uplot/dist/uPlot.iife.min.js"),
    uplotCss: require.resolve("uplot/dist/uPlot.min.css"),
  };
}

/**
 * Starts the server on 127.0.0.1 (port 0 picks a free one).
 *
 * @example
 * const server = await startDevServer({ assets: projectAssets(root), port: 3005, store, counts,
 *   invocations, dashboard: () => deployed, evaluator: noEvaluator, now: Date.now });
 * console.log(server.url); // http://127.0.0.1:3005
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const listeners = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | undefined;

  const state = () => {
    const now = options.now();
    const dashboard = options.dashboard();
    const base = { generatedAt: now, counts: options.counts(), invocations: options.invocations() };
    if (dashboard === undefined) return { ...base, dashboard: { loading: true } };
    if (dashboard instanceof Error) return { ...base, dashboard: { error: dashboard.message } };
    const alarms = options.evaluator(dashboard.alarms, options.store, now);
    const widgets = viewDashboard(
      dashboard,
      options.store,
      { end: now, minutes: options.minutes ?? 15 },
      alarms,
    );
    return { ...base, dashboard: { name: dashboard.name, widgets } };
  };

  // DescribeAlarms answers with the states the page's alarm widgets show at the same moment.
  const alarms = (): LocalAlarm[] => {
    const dashboard = options.dashboard();
    if (dashboard === undefined || dashboard instanceof Error) return [];
    const views = options.evaluator(dashboard.alarms, options.store, options.now());
    return dashboard.alarms.map((alarm, i) => ({
      name: alarm.name,
      type: alarm.type === "AWS::CloudWatch::CompositeAlarm" ? "CompositeAlarm" : "MetricAlarm",
      state: views[i]?.state ?? "INSUFFICIENT_DATA",
      reason: views[i]?.reason ?? "",
    }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // Only the names it was started under, and no other origin: see gate.ts.
    const refused = refusal(req.headers, (server.address() as AddressInfo).port);
    if (refused !== undefined) return plain(res, 403, `npm start: ${refused}\n`);
    if (isCloudWatchRequest(req)) return serveCloudWatch(options.store, req, res, alarms);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    if (req.method !== "GET") return plain(res, 405, "method not allowed");
    if (path === "/api/state") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return void res.end(JSON.stringify(state()));
    }
    if (path === "/api/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write("retry: 1000\n\n");
      listeners.add(res);
      req.on("close", () => listeners.delete(res));
      return;
    }
    const page = PAGE_FILES[path];
    if (page !== undefined) return file(res, join(options.assets.page, page[0]), page[1]);
    const vendor = VENDOR_FILES[path];
    if (vendor !== undefined) return file(res, options.assets[vendor[0]], vendor[1]);
    return plain(res, 404, "not found");
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A fault in one answer must not stop the server the functions depend on.
      if (!res.headersSent) plain(res, 500, `local server error: ${String(error)}`);
      else res.destroy();
    });
  });
  const keepalive = setInterval(() => {
    for (const res of listeners) res.write(": keepalive\n\n");
  }, KEEPALIVE_MS);
  keepalive.unref();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    changed: () => {
      pending ??= setTimeout(() => {
        pending = undefined;
        for (const res of listeners) res.write("event: change\ndata: {}\n\n");
      }, UPDATE_EVERY_MS);
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepalive);
        if (pending !== undefined) clearTimeout(pending);
        for (const res of listeners) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function file(res: ServerResponse, path: string, type: string): Promise<void> {
  const content = await readFile(path);
  res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
  res.end(content);
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
  res.end(text);
}
