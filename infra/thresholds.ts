/**
 * The alarm settings, written once: infra/thresholds.json lists each threshold with its default
 * and what it means. The plugin builds `custom.vitals.alarms`' schema from that table (it must,
 * synchronously, in its constructor: JSON is what plugin.cjs can read before anything is
 * built), this file parses the values with the same table, and each threshold's name is also
 * the `--param` that overrides it, as the template's serverless.yml maps it.
 */
import { settingNumber } from "./config-values";
import TABLE from "./thresholds.json";

export type ThresholdName = keyof typeof TABLE;

/** Every threshold the alarms read, by its name in `custom.vitals.alarms`. */
export type Thresholds = Readonly<Record<ThresholdName, number>>;

export const THRESHOLD_NAMES = Object.keys(TABLE) as readonly ThresholdName[];

/** The alarm thresholds a service gets when neither `custom.vitals.alarms` nor `--param` sets them. */
export const DEFAULT_THRESHOLDS: Thresholds = Object.fromEntries(
  THRESHOLD_NAMES.map((name) => [name, TABLE[name].default]),
) as Record<ThresholdName, number>;

/** The `--param` that gives the alarm e-mail, and its setting under `custom.vitals.alarms`. */
export const ALARM_EMAIL_PARAM = "alarmEmail";
const ALARM_EMAIL_SETTING = "email";
/** The `--param` and the setting of the address that gets tickets (`TicketAlarm`), not pages. */
export const TICKET_EMAIL_PARAM = "ticketEmail";
const TICKET_EMAIL_SETTING = "ticketEmail";
const EMAIL_SETTINGS = [ALARM_EMAIL_SETTING, TICKET_EMAIL_SETTING];

/** What the alarms read: the thresholds, the e-mail (empty: no topic), and what was overridden. */
export interface AlarmSettings {
  readonly thresholds: Thresholds;
  readonly alarmEmail: string;
  /** Where tickets go: the ticket address, else the alarm address (empty: no ticket topic). */
  readonly ticketEmail: string;
  /** A `--param` that replaced a different `custom.vitals.alarms` value, said once. */
  readonly warnings: readonly string[];
}

/**
 * The `--param key=value` options of the command, as a mapping. Serverless passes them to the
 * plugin as a list (or one string for a single `--param`).
 *
 * @example
 * cliParams(["alarmEmail=oncall@example.com"]); // { alarmEmail: "oncall@example.com" }
 */
export function cliParams(param: unknown): Record<string, string> {
  if (param === undefined) return {};
  const items = Array.isArray(param) ? param : [param];
  return Object.fromEntries(
    items.map((item) => {
      const text = String(item);
      const at = text.indexOf("=");
      if (at <= 0) throw new Error(`--param ${text}: expected --param name=value`);
      return [text.slice(0, at), text.slice(at + 1).trim()];
    }),
  );
}

/**
 * Reads `custom.vitals.alarms` and the command's `--param` values: a `--param` with a
 * threshold's name (or `alarmEmail`) wins, so it works in a service whose serverless.yml does
 * not map it; else the setting; else the table's default.
 *
 * @example
 * alarmSettings({ latencyP99Ms: 800 }, { alarmEmail: "oncall@example.com" });
 * // { thresholds: { ..., latencyP99Ms: 800 }, alarmEmail: "oncall@example.com", warnings: [] }
 */
export function alarmSettings(
  alarms: Readonly<Record<string, unknown>>,
  params: Readonly<Record<string, string>>,
): AlarmSettings {
  for (const key of Object.keys(alarms)) {
    if (!EMAIL_SETTINGS.includes(key) && !(THRESHOLD_NAMES as readonly string[]).includes(key)) {
      throw new Error(
        `custom.vitals.alarms.${key} is not a setting; known: ${[...THRESHOLD_NAMES, ...EMAIL_SETTINGS].join(", ")}`,
      );
    }
  }
  const warnings: string[] = [];
  const pick = (setting: string, param: string): unknown => {
    const given = params[param];
    if (given === undefined) return alarms[setting];
    const written = alarms[setting];
    if (written !== undefined && String(written).trim() !== given) {
      warnings.push(
        `--param ${param}=${given} replaces custom.vitals.alarms.${setting} (${String(written)})`,
      );
    }
    return given;
  };
  const thresholds = Object.fromEntries(
    THRESHOLD_NAMES.map((name) => {
      const value = pick(name, name);
      return [name, value === undefined ? DEFAULT_THRESHOLDS[name] : threshold(value, name)];
    }),
  ) as Record<ThresholdName, number>;
  const address = (setting: string, param: string): string => {
    const email = pick(setting, param) ?? "";
    if (typeof email !== "string") {
      throw new Error(
        `custom.vitals.alarms.${setting} must be an e-mail address, got ${String(email)}`,
      );
    }
    return email.trim();
  };
  const alarmEmail = address(ALARM_EMAIL_SETTING, ALARM_EMAIL_PARAM);
  const ticketEmail = address(TICKET_EMAIL_SETTING, TICKET_EMAIL_PARAM) || alarmEmail;
  return { thresholds, alarmEmail, ticketEmail, warnings };
}

/**
 * Thresholds that count requests: a whole number, as the health check's
 * `HEALTH_ERROR_RATE_MIN_REQUESTS`, which the template feeds from the same param, requires.
 */
const WHOLE: ReadonlySet<string> = new Set<ThresholdName>(["errorRateMinRequests"]);

function threshold(value: unknown, name: ThresholdName): number {
  const number = positive(value, name);
  if (WHOLE.has(name) && !Number.isInteger(number)) {
    throw new Error(
      `custom.vitals.alarms.${name} must be a whole number > 0, got ${String(value)}`,
    );
  }
  return number;
}

function positive(value: unknown, name: string): number {
  const number = settingNumber(value);
  if (number === undefined || number <= 0) {
    throw new Error(`custom.vitals.alarms.${name} must be a number > 0, got ${String(value)}`);
  }
  return number;
}
