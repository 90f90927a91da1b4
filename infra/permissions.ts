/**
 * What each function's own role must allow, so that moving a service to one role per function
 * never takes a permission away: the service-wide grants Serverless would have put on its shared
 * role are carried into every role, what cannot be carried is refused with the move to make, and
 * the permissions Serverless adds for certain events must be listed before packaging goes on.
 */
import { list, optionalRecord, record } from "./config-values";

/** An IAM statement a function needs beyond writing its own logs (`custom.vitals.permissions`). */
export interface PolicyStatement {
  readonly Effect: "Allow";
  readonly Action: readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** What the service grants every function through Serverless' shared role. */
export interface SharedGrants {
  /** `provider.iam.role.statements` and `provider.iamRoleStatements`, exactly as written. */
  readonly statements: readonly Readonly<Record<string, unknown>>[];
  /** `provider.iam.role.managedPolicies` and `provider.iamManagedPolicies`. */
  readonly managedPolicies: readonly unknown[];
  /** `provider.iam.role.permissionsBoundary` or `provider.rolePermissionsBoundary`. */
  readonly permissionsBoundary?: unknown;
}

/** The statement keys `custom.vitals.permissions` may use; anything else (NotAction...) is refused. */
const STATEMENT_KEYS: ReadonlySet<string> = new Set(["Effect", "Action", "Resource", "Condition"]);

/** The way out for services whose IAM cannot be carried: keep their roles, lose nothing. */
const KEEP_ROLES = "or set custom.vitals.roles: false to keep your own roles as they are";

/**
 * Reads the service-wide grants of `provider`, refusing what cannot be carried into one role per
 * function: a role given by name or ARN (its statements cannot be read here) and a role name
 * (one name cannot name several roles).
 *
 * @example
 * sharedGrants({ iam: { role: { statements: [{ Effect: "Allow", Action: ["dynamodb:GetItem"],
 *   Resource: "*" }] } } }).statements.length; // 1
 */
export function sharedGrants(provider: Readonly<Record<string, unknown>>): SharedGrants {
  const iam = optionalRecord(provider.iam, "provider.iam");
  const role = iam.role;
  if (typeof role === "string" || isIntrinsic(role)) {
    throw new Error(
      `provider.iam.role: ${describeRole(role)}; lambda-vitals gives each function a role of its ` +
        "own and cannot read what that role allows. Remove provider.iam.role and list its " +
        "statements under provider.iam.role.statements (every function gets them) or " +
        `custom.vitals.permissions.<function> (one function gets them), ${KEEP_ROLES}.`,
    );
  }
  if (provider.role !== undefined) {
    throw new Error(
      `provider.role: ${describeRole(provider.role)}; lambda-vitals gives each function a role of ` +
        "its own. Remove provider.role and list what it allows under provider.iam.role.statements " +
        `or custom.vitals.permissions.<function>, ${KEEP_ROLES}.`,
    );
  }
  const shared = optionalRecord(role, "provider.iam.role");
  if (shared.name !== undefined) {
    throw new Error(
      "provider.iam.role.name names Serverless' one shared role, and each function now has its " +
        `own: remove provider.iam.role.name, ${KEEP_ROLES}.`,
    );
  }
  const statements = [
    ...carried(shared.statements, "provider.iam.role.statements"),
    ...carried(provider.iamRoleStatements, "provider.iamRoleStatements"),
  ];
  const boundary = shared.permissionsBoundary ?? provider.rolePermissionsBoundary;
  return {
    statements,
    managedPolicies: [
      ...list(shared.managedPolicies, "provider.iam.role.managedPolicies"),
      ...list(provider.iamManagedPolicies, "provider.iamManagedPolicies"),
    ],
    ...(boundary === undefined ? {} : { permissionsBoundary: boundary }),
  };
}

/**
 * Reads `custom.vitals.permissions.<function>`: Allow statements with exact actions only. A Deny
 * or a NotResource is refused rather than rewritten: turned into an Allow it would widen a role,
 * the opposite of what was written.
 *
 * @example
 * functionStatements([{ Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }], "getOrder");
 */
export function functionStatements(value: unknown, key: string): PolicyStatement[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`custom.vitals.permissions.${key} must be a list`);
  return value.map((item, index) => {
    const where = `custom.vitals.permissions.${key}[${index}]`;
    const statement = record(item, where);
    for (const name of Object.keys(statement)) {
      if (!STATEMENT_KEYS.has(name)) throw new Error(`${where}: "${name}" is not supported here`);
    }
    if (statement.Effect !== undefined && statement.Effect !== "Allow") {
      throw new Error(
        `${where}: only Effect "Allow" is supported here (a role allows nothing by default, so ` +
          "leave the action out); a Deny for every function goes under provider.iam.role.statements",
      );
    }
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    for (const action of actions) {
      if (typeof action !== "string" || !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
        throw new Error(`${where}: "${action}" is not one exact action (no wildcards)`);
      }
    }
    if (statement.Resource === undefined) throw new Error(`${where}: Resource is required`);
    const allow = {
      Effect: "Allow",
      Action: actions as string[],
      Resource: statement.Resource,
    } as const;
    return statement.Condition === undefined ? allow : { ...allow, Condition: statement.Condition };
  });
}

/**
 * Refuses a function's own `role:`: lambda-vitals makes that function's role, and cannot read
 * what an existing one allows.
 *
 * @example
 * refuseOwnRole("getOrder", { role: "arn:aws:iam::123456789012:role/orders" }); // throws
 */
export function refuseOwnRole(key: string, fn: Readonly<Record<string, unknown>>): void {
  if (fn.role === undefined) return;
  throw new Error(
    `functions.${key}.role: ${describeRole(fn.role)}; lambda-vitals makes this function's role ` +
      `itself. Remove "role" and list what that role allows under custom.vitals.permissions.${key}, ` +
      `${KEEP_ROLES}.`,
  );
}

/**
 * Permissions Serverless adds to its shared role for some events and settings, and never to a
 * function's own role. Each entry lists the actions one of which must be allowed (a wildcard
 * such as `sqs:*` counts).
 */
interface Requirement {
  readonly what: string;
  readonly actions: readonly string[];
  /** A managed policy that grants them all, when AWS offers one. */
  readonly managedPolicy?: string;
}

/**
 * Event kinds whose permissions are too many to check here, or that change the shared role's
 * trust policy (Lambda@Edge): the service keeps its roles.
 */
const UNCHECKED_EVENTS = ["msk", "kafka", "activemq", "rabbitmq", "cloudFront"] as const;

/**
 * Throws when a function uses something Serverless grants only on its shared role (queue and
 * stream events, VPC access, active tracing, a KMS key, a dead-letter target) and its role
 * would not allow it, naming the actions to list under `custom.vitals.permissions.<function>`.
 *
 * @example
 * requireEventPermissions("worker", { events: [{ sqs: "arn:aws:sqs:..." }] }, provider, grants, []);
 * // throws: list sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes ...
 */
export function requireEventPermissions(
  key: string,
  fn: Readonly<Record<string, unknown>>,
  provider: Readonly<Record<string, unknown>>,
  grants: SharedGrants,
  own: readonly PolicyStatement[],
): void {
  const missing = requirements(key, fn, provider).flatMap((requirement) => {
    if (requirement.managedPolicy !== undefined && hasPolicy(grants, requirement.managedPolicy)) {
      return [];
    }
    const absent = requirement.actions.filter(
      (action) => !allows([...grants.statements, ...own], action),
    );
    return absent.length === 0 ? [] : [`${requirement.what} needs ${absent.join(", ")}`];
  });
  if (missing.length > 0) {
    throw new Error(
      `functions.${key}: ${missing.join("; ")}. Serverless grants these only on its shared role; ` +
        `list them under custom.vitals.permissions.${key} with the resources they act on, ${KEEP_ROLES}.`,
    );
  }
}

function requirements(
  key: string,
  fn: Readonly<Record<string, unknown>>,
  provider: Readonly<Record<string, unknown>>,
): Requirement[] {
  const events = Array.isArray(fn.events) ? fn.events : [];
  const found: Requirement[] = [];
  for (const event of events) {
    const kind = Object.keys(record(event, `functions.${key}.events[]`))[0] ?? "";
    if ((UNCHECKED_EVENTS as readonly string[]).includes(kind)) {
      throw new Error(
        `functions.${key}: ${kind} events need permissions Serverless grants only on its shared ` +
          `role, which lambda-vitals does not check; ${KEEP_ROLES.replace(/^or /, "")}.`,
      );
    }
    const schedule = (event as Record<string, unknown>).schedule;
    if (kind === "schedule" && JSON.stringify(schedule).includes('"method":"scheduler"')) {
      throw new Error(
        `functions.${key}: a schedule with method: scheduler runs as Serverless' shared role, ` +
          `which lambda-vitals replaces; use the default method (eventBus), ${KEEP_ROLES}.`,
      );
    }
    if (kind === "sqs") {
      found.push({
        what: "its sqs event",
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
      });
    }
    if (kind === "stream") {
      const source = JSON.stringify((event as Record<string, unknown>).stream);
      const dynamo = source.includes("dynamodb") || source.includes("StreamArn");
      found.push({
        what: "its stream event",
        actions: dynamo
          ? [
              "dynamodb:GetRecords",
              "dynamodb:GetShardIterator",
              "dynamodb:DescribeStream",
              "dynamodb:ListStreams",
            ]
          : [
              "kinesis:GetRecords",
              "kinesis:GetShardIterator",
              "kinesis:DescribeStream",
              "kinesis:ListStreams",
            ],
      });
    }
  }
  if ((fn.vpc ?? provider.vpc) !== undefined) {
    found.push({
      what: "its VPC configuration",
      actions: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
      ],
      managedPolicy: "AWSLambdaVPCAccessExecutionRole",
    });
  }
  const tracing = fn.tracing ?? record(provider.tracing ?? {}, "provider.tracing").lambda;
  if (tracing === true || tracing === "Active") {
    found.push({
      what: "active tracing",
      actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
    });
  }
  const kmsKey = fn.kmsKeyArn ?? provider.kmsKeyArn;
  if (typeof kmsKey === "string") {
    found.push({ what: "its kmsKeyArn", actions: ["kms:Decrypt"] });
  }
  if (fn.onError !== undefined) {
    const target = JSON.stringify(fn.onError);
    found.push({
      what: "its onError target",
      actions: [target.includes(":sqs:") ? "sqs:SendMessage" : "sns:Publish"],
    });
  }
  if (fn.destinations !== undefined) {
    throw new Error(
      `functions.${key}.destinations: Serverless grants the calls to destinations only on its ` +
        `shared role, which lambda-vitals does not check; ${KEEP_ROLES.replace(/^or /, "")}.`,
    );
  }
  return found;
}

/** Whether an Allow statement lists the action, or a wildcard that covers it. */
function allows(
  statements: readonly { readonly Effect?: unknown; readonly Action?: unknown }[],
  action: string,
): boolean {
  return statements.some((statement) => {
    if (statement.Effect !== "Allow") return false;
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    return actions.some(
      (granted) =>
        typeof granted === "string" &&
        new RegExp(
          `^${granted.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`,
          "i",
        ).test(action),
    );
  });
}

function hasPolicy(grants: SharedGrants, name: string): boolean {
  return grants.managedPolicies.some((policy) => JSON.stringify(policy).includes(name));
}

/**
 * A statement of the shared role, carried as it is: Serverless put it on every function's role,
 * so every function's own role gets it, Deny and NotAction included.
 */
function carried(value: unknown, path: string): Readonly<Record<string, unknown>>[] {
  return list(value, path).map((item, index) => {
    const where = `${path}[${index}]`;
    const statement = record(item, where);
    if (statement.Effect !== "Allow" && statement.Effect !== "Deny") {
      throw new Error(`${where}: Effect must be "Allow" or "Deny"`);
    }
    if (statement.Action === undefined && statement.NotAction === undefined) {
      throw new Error(`${where}: Action or NotAction is required`);
    }
    return statement;
  });
}

function describeRole(role: unknown): string {
  if (typeof role === "string" && role.startsWith("arn:")) return `the role given by ARN (${role})`;
  if (typeof role === "string") return `the role "${role}"`;
  return `the role given as ${JSON.stringify(role)}`;
}

function isIntrinsic(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || (keys[0] ?? "").startsWith("Fn::"));
}
