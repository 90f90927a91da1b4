/**
 * Reading values out of the resolved `serverless.yml`, which arrives untyped: each reader names
 * the setting it expected, so a wrong shape stops packaging with the path to fix.
 */

/**
 * The value as a mapping, or an error naming where a mapping was expected.
 *
 * @example
 * record({ a: 1 }, "custom.vitals"); // { a: 1 }
 * record([], "custom.vitals"); // throws "custom.vitals must be a mapping"
 */
export function record(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`${where} must be a mapping`);
  }
  return value as Record<string, unknown>;
}

/** A mapping that may be left out: absent reads as empty. */
export function optionalRecord(value: unknown, where: string): Record<string, unknown> {
  return value === undefined ? {} : record(value, where);
}

/** A list that may be left out: absent reads as empty. */
export function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${where} must be a list`);
  return value;
}

/** A string that must be set and not blank. */
export function nonEmpty(value: unknown, where: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new Error(`${where} must be set`);
  return value;
}

/**
 * A setting's number, or undefined when it is not a finite one. Values arrive as numbers from
 * YAML and as strings from `--param key=value`.
 *
 * @example
 * settingNumber("99.5"); // 99.5
 * settingNumber(" "); // undefined
 */
export function settingNumber(value: unknown): number | undefined {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
}
