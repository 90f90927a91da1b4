/**
 * `npm start` in the template, and `lambda-vitals dev` in a service that installed the package:
 * the service's own serverless-offline on 127.0.0.1 as a child process, its output read line by
 * line into the local metric store, one readable line per invocation in the terminal (and one for
 * each request serverless-offline's own timer ends), the raw EMF in `.serverless/emf.log`, the
 * dashboard page, and a local CloudWatch for `/health` to read.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as Generator from "../infra/entry";
import { replayEvaluator } from "./alarm-states";
import { startApiGate } from "./api-gate";
import { type DeployedDashboard, readDeployedDashboard } from "./deployed-dashboard";
import { type PageAssets, startDevServer } from "./dev-server";
import { generatedResources } from "./generated-stack";
import { createIntake, type Intake } from "./intake";
import { createLineSplitter } from "./line-splitter";
import { createMetricStore } from "./metric-store";
import { createOfflineRequests, offlineTimeoutSeconds } from "./offline-requests";
import { isRouteTableLine, routeLines } from "./route-table";
import { printServiceTemplate, type ServiceTemplate } from "./service-template";
import {
  COLOR,
  formatInvocation,
  formatOfflineTimeout,
  formatRejection,
  formatWarning,
  oneLine,
  PLAIN,
  type Style,
} from "./terminal";

export interface StartOptions {
  readonly httpPort: number;
  readonly lambdaPort: number;
  readonly dashboardPort: number;
  readonly stage: string | undefined;
  /** Print the functions' output as it is, raw EMF included, instead of one line per request. */
  readonly raw: boolean;
}

const FLAGS = "[--httpPort 3000] [--lambdaPort 3002] [--dashboardPort 3005] [--stage dev] [--raw]";

/**
 * The usage line of the local command, as `command` runs it.
 *
 * @example
 * usageLine("lambda-vitals dev"); // "usage: lambda-vitals dev [--httpPort 3000] ... [--raw]"
 */
export function usageLine(command: string): string {
  return `usage: ${command} ${FLAGS}`;
}

/**
 * Reads the local command's flags; throws with the usage line on anything it does not know.
 * `command` is how the user runs it: `npm start --` in the template, `lambda-vitals dev` in a
 * service.
 *
 * @example
 * parseStartOptions(["--httpPort", "4000", "--raw"]); // { httpPort: 4000, ..., raw: true }
 */
export function parseStartOptions(argv: readonly string[], command = "npm start --"): StartOptions {
  const USAGE = usageLine(command);
  const options = {
    httpPort: 3000,
    lambdaPort: 3002,
    dashboardPort: 3005,
    stage: undefined as string | undefined,
    raw: false,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] ?? "";
    const [name, inline] = flag.includes("=") ? flag.split(/=(.*)/s, 2) : [flag, undefined];
    const value = () => {
      const given = inline ?? argv[++i];
      if (given === undefined || given === "") throw new Error(`${name} needs a value\n${USAGE}`);
      return given;
    };
    const port = () => {
      const text = value();
      const number = Number(text);
      if (!Number.isInteger(number) || number < 0 || number > 65535) {
        throw new Error(`${name} must be a port number (0 to 65535), got "${text}"\n${USAGE}`);
      }
      return number;
    };
    switch (name) {
      case "--httpPort":
        options.httpPort = port();
        break;
      case "--lambdaPort":
        options.lambdaPort = port();
        break;
      case "--dashboardPort":
        options.dashboardPort = port();
        break;
      case "--stage":
        options.stage = value();
        break;
      case "--raw":
        options.raw = true;
        break;
      default:
        throw new Error(`unknown option "${flag}"\n${USAGE}`);
    }
  }
  return options;
}

/** What differs between `npm start` in the template and `lambda-vitals dev` in a service. */
export interface LocalCommand {
  /** How the user runs it, for the usage line: `npm start --` or `lambda-vitals dev`. */
  readonly command: string;
  /** The service's folder, where serverless.yml is. */
  readonly root: string;
  readonly argv: readonly string[];
  /** The service's own Serverless CLI, `bin/serverless.js` of its `serverless` package. */
  readonly cli: string;
  /** The stack generator the service's plugin runs, for the printed service. */
  readonly generator: (template: ServiceTemplate) => Promise<typeof Generator>;
  readonly assets: PageAssets;
}

/**
 * Runs the local command until SIGINT or SIGTERM, or until serverless-offline exits.
 *
 * @example
 * await startLocal({ command: "npm start --", root, argv: process.argv.slice(2), cli, generator,
 *   assets: projectAssets(root) });
 */
export async function startLocal(context: LocalCommand): Promise<number> {
  const options = parseStartOptions(context.argv, context.command);
  const { root, cli } = context;
  const out = process.stdout;
  const style: Style = out.isTTY && process.env.NO_COLOR === undefined ? COLOR : PLAIN;
  const store = createMetricStore();
  const intake = createIntake(store, Date.now);
  let dashboard: DeployedDashboard | Error | undefined;
  const server = await startDevServer({
    assets: context.assets,
    port: options.dashboardPort,
    store,
    counts: intake.counts,
    invocations: intake.invocations,
    dashboard: () => dashboard,
    evaluator: replayEvaluator,
    now: Date.now,
  });
  mkdirSync(join(root, ".serverless"), { recursive: true });
  const emfLogPath = join(root, ".serverless", "emf.log");
  const emfLog = createWriteStream(emfLogPath, { flags: "w" });

  // Real credentials never reach the local endpoint: the child gets dummy ones, and only it.
  const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...inherited } = process.env;
  const env = {
    ...inherited,
    AWS_ENDPOINT_URL_CLOUDWATCH: server.url,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
  };
  // serverless-offline answers any Host and grants any Origin: it listens on Unix sockets that
  // only this user can reach, and the gates on the ports asked for decide what gets through.
  const sockets = mkdtempSync(join(tmpdir(), "lambda-vitals-"));
  const socketOf = { http: join(sockets, "http.sock"), lambda: join(sockets, "lambda.sock") };
  const api = await startApiGate(options.httpPort, socketOf.http);
  const invoke = await startApiGate(options.lambdaPort, socketOf.lambda);
  const shownAddress = (text: string) =>
    text
      .replaceAll(`127.0.0.1:${socketOf.http}`, `127.0.0.1:${api.port}`)
      .replaceAll(`127.0.0.1:${socketOf.lambda}`, `127.0.0.1:${invoke.port}`);
  const stageArgs = options.stage === undefined ? [] : ["--stage", options.stage];
  const child = spawn(
    process.execPath,
    [
      cli,
      "offline",
      "start",
      "--host",
      "127.0.0.1",
      "--httpPort",
      socketOf.http,
      "--lambdaPort",
      socketOf.lambda,
      "--noPrependStageInUrl",
      ...stageArgs,
    ],
    // Same process group as the launcher: Ctrl-C in the terminal reaches serverless and its
    // esbuild too, and stopping the launcher's group stops everything it started.
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] },
  );

  let printedTemplate: ServiceTemplate | undefined;
  const requests = createOfflineRequests((key) =>
    printedTemplate === undefined
      ? undefined
      : offlineTimeoutSeconds(printedTemplate.functions[key], printedTemplate.provider),
  );

  const template = printServiceTemplate({
    cli,
    cwd: root,
    env: inherited,
    stage: options.stage,
  })
    .then(async (printed) => {
      printedTemplate = printed;
      const infra = await context.generator(printed);
      dashboard = readDeployedDashboard(generatedResources(infra, printed), printed.region);
      server.changed();
      return printed;
    })
    // A template without a usable dashboard leaves the page saying why; the rest goes on.
    .catch((error: unknown) => {
      dashboard = error instanceof Error ? error : new Error(String(error));
      out.write(style.red(`dashboard unavailable: ${dashboard.message}\n`));
      server.changed();
      return undefined;
    });

  let ready = false;
  const box: string[] = [];
  /**
   * One of serverless-offline's (or the CLI's) own lines, from either stream: Serverless v3 logs
   * to stdout what v4 logs to stderr, so both are read the same way.
   */
  const passOn = (line: string, write: (text: string) => void) => {
    const text = shownAddress(line);
    if (!options.raw) {
      // The route table names the sockets: print it with the gates' addresses instead.
      if (isRouteTableLine(text)) {
        box.push(text);
        if (text.startsWith("└")) {
          for (const route of routeLines(box.splice(0), shownAddress)) write(route);
        }
        return;
      }
      // its own timeout names no request: shown as the request it ended, and why
      const offline = requests.read(text, Date.now());
      if (offline?.kind === "timeout") {
        return void out.write(`${formatOfflineTimeout(offline.timeout, style)}\n`);
      }
      // the invocation line says all its request lines say, and it frames them with blank ones
      if (offline !== undefined || text === "") return;
    }
    write(text);
    if (!ready && text.startsWith("Server ready")) {
      ready = true;
      out.write(`\ndashboard: ${server.url}  (raw EMF: ${emfLogPath})\n\n`);
      void template.then((printed) => {
        if (printed !== undefined) return runSchedulesOnce(printed, invoke.port);
      });
    }
  };

  const show = (result: Intake) => {
    if (result.kind === "other") {
      // a handler's own log line: as it is under --raw, escaped otherwise like every other line
      return passOn(result.raw, (text) => out.write(`${options.raw ? text : oneLine(text)}\n`));
    }
    emfLog.write(`${result.raw}\n`);
    if (options.raw) return void out.write(`${result.raw}\n`);
    if (result.kind === "invocation") {
      const { invocation } = result;
      if (invocation.timeout && invocation.method !== undefined && invocation.path !== undefined) {
        requests.wrapperTimedOut(invocation.method, invocation.path);
      }
      out.write(`${formatInvocation(invocation, style)}\n`);
    } else if (result.kind === "rejected")
      out.write(`${formatRejection(result.reason, result.count, style)}\n`);
    else if (result.warning !== undefined) out.write(`${formatWarning(result.warning, style)}\n`);
  };
  const stdout = createLineSplitter((line) => {
    show(intake.read(line));
    server.changed();
  });
  child.stdout?.on("data", stdout.push);
  child.stdout?.on("end", stdout.flush);

  const stderr = createLineSplitter((line) => {
    passOn(line.kind === "line" ? line.text : `${line.head}…`, (text) =>
      process.stderr.write(`${text}\n`),
    );
  });
  child.stderr?.on("data", stderr.push);
  child.stderr?.on("end", stderr.flush);

  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
  const stop = () => child.kill("SIGTERM");
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const code = await exited;
  await Promise.all([server.close(), api.close(), invoke.close()]);
  rmSync(sockets, { recursive: true, force: true });
  await new Promise((resolve) => emfLog.end(resolve));
  return code;
}

/**
 * serverless-offline runs `schedule` events from the next whole minute on; one run at start
 * gives the health widget its first datapoint at once, as a deploy's first minute would.
 */
async function runSchedulesOnce(template: ServiceTemplate, lambdaPort: number): Promise<void> {
  for (const name of template.scheduledFunctions) {
    const event = {
      version: "0",
      id: crypto.randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "000000000000",
      time: new Date().toISOString(),
      region: template.region,
      resources: [],
      detail: {},
    };
    try {
      const response = await fetch(
        `http://127.0.0.1:${lambdaPort}/2015-03-31/functions/${name}/invocations`,
        {
          method: "POST",
          body: JSON.stringify(event),
        },
      );
      await response.arrayBuffer();
    } catch (error) {
      process.stderr.write(`first scheduled run of ${name} failed: ${String(error)}\n`);
    }
  }
}
