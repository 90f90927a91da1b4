/**
 * The dashboard and alarms exactly as `serverless deploy` would create them, read from the
 * resolved template's resources, with the `Fn::Sub` placeholders CloudFormation fills in
 * (`${AWS::Region}`, `${SomeAlarm.Arn}`) resolved for this machine.
 */
import type { DeployedAlarm } from "./alarm-states";

/** A widget of the dashboard body, as CloudWatch's dashboard body structure defines it. */
export interface DashboardWidget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

export interface DeployedDashboard {
  readonly name: string;
  readonly widgets: readonly DashboardWidget[];
  readonly alarms: readonly DeployedAlarm[];
  /** Alarm ARN (as the body names alarms) → the alarm's logical id. */
  readonly alarmIdsByArn: Readonly<Record<string, string>>;
}

type Resources = Readonly<
  Record<string, { readonly Type?: unknown; readonly Properties?: unknown }>
>;

/** The account id placeholders resolve to locally: there is no account. */
const LOCAL_ACCOUNT = "000000000000";
const ALARM_TYPES = new Set(["AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"]);

/**
 * Reads the first dashboard of a template's resources; throws when there is none or its body is
 * not the JSON CloudWatch expects.
 *
 * @example
 * const dashboard = readDeployedDashboard(template.Resources, "us-east-1");
 * dashboard.widgets.length; // 28
 */
export function readDeployedDashboard(resources: Resources, region: string): DeployedDashboard {
  const alarms: DeployedAlarm[] = [];
  const arns: Record<string, string> = {};
  const names: Record<string, string> = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (typeof resource.Type !== "string" || !ALARM_TYPES.has(resource.Type)) continue;
    const properties = (resource.Properties ?? {}) as Record<string, unknown>;
    const name = typeof properties.AlarmName === "string" ? properties.AlarmName : id;
    alarms.push({ id, name, type: resource.Type, properties });
    names[id] = name;
    arns[`arn:aws:cloudwatch:${region}:${LOCAL_ACCOUNT}:alarm:${name}`] = id;
  }
  const found = Object.entries(resources).find(([, r]) => r.Type === "AWS::CloudWatch::Dashboard");
  if (found === undefined) throw new Error("the template has no AWS::CloudWatch::Dashboard");
  const [id, resource] = found;
  const properties = (resource.Properties ?? {}) as Record<string, unknown>;
  const text = substitute(bodyText(id, properties.DashboardBody), region, names);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${id}: DashboardBody is not JSON once its placeholders are filled in`);
  }
  const widgets = (body as { widgets?: unknown }).widgets;
  if (!Array.isArray(widgets)) throw new Error(`${id}: DashboardBody has no widgets list`);
  return {
    name: typeof properties.DashboardName === "string" ? properties.DashboardName : id,
    widgets: widgets.map((widget, index) => readWidget(widget, `${id} widget ${index}`)),
    alarms,
    alarmIdsByArn: arns,
  };
}

function bodyText(id: string, body: unknown): string {
  if (typeof body === "string") return body;
  const sub = (body as { "Fn::Sub"?: unknown } | undefined)?.["Fn::Sub"];
  if (typeof sub === "string") return sub;
  if (Array.isArray(sub) && typeof sub[0] === "string") return sub[0];
  throw new Error(`${id}: DashboardBody is neither a string nor an Fn::Sub of one`);
}

/**
 * `${AWS::Region}`, `${AWS::AccountId}`, `${AWS::Partition}`, `${Alarm.Arn}`, `${Alarm}`, and
 * `${Resource}` of any other resource (the HTTP API that Serverless adds, say), which has no
 * physical id before a deploy: it reads as its logical id.
 */
function substitute(text: string, region: string, alarmNames: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === "AWS::Region") return region;
    if (name === "AWS::AccountId") return LOCAL_ACCOUNT;
    if (name === "AWS::Partition") return "aws";
    const [id = "", attribute] = name.split(".");
    const alarm = alarmNames[id];
    if (alarm === undefined) return attribute === undefined ? id : whole;
    return attribute === "Arn"
      ? `arn:aws:cloudwatch:${region}:${LOCAL_ACCOUNT}:alarm:${alarm}`
      : alarm;
  });
}

function readWidget(widget: unknown, where: string): DashboardWidget {
  if (typeof widget !== "object" || widget === null) throw new Error(`${where} is not an object`);
  const w = widget as Record<string, unknown>;
  const number = (value: unknown, fallback: number) =>
    typeof value === "number" && Number.isFinite(value) ? value : fallback;
  return {
    type: typeof w.type === "string" ? w.type : "unknown",
    // CloudWatch's defaults when a widget leaves its place or size out
    x: number(w.x, 0),
    y: number(w.y, 0),
    width: number(w.width, 6),
    height: number(w.height, 6),
    properties: (typeof w.properties === "object" && w.properties !== null
      ? w.properties
      : {}) as Record<string, unknown>,
  };
}
