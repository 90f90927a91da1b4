/**
 * Holds CloudFormation resources against the AWS resource database (`@aws-cdk/aws-service-spec`):
 * the type exists, every property is one the type knows, required properties are there, and
 * values have the right shape. Intrinsic functions (`Ref`, `Fn::*`) stand for any value.
 */
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";

interface SpecType {
  readonly type: string;
  readonly element?: SpecType;
  readonly types?: readonly SpecType[];
  readonly reference?: { readonly $ref: string };
}

interface SpecProperty {
  readonly type: SpecType;
  readonly required?: boolean;
}

type Properties = Readonly<Record<string, SpecProperty>>;

const db = loadAwsServiceSpecSync();

/**
 * Problems of one resource, empty when the database accepts it.
 *
 * @example
 * specProblems("Alarm", { Type: "AWS::CloudWatch::Alarm", Properties: { ... } }); // []
 */
export function specProblems(
  id: string,
  resource: { readonly Type: string; readonly Properties?: unknown },
): string[] {
  const [spec, ...more] = db.lookup("resource", "cloudFormationType", "equals", resource.Type);
  if (spec === undefined || more.length > 0) return [`${id}: unknown type ${resource.Type}`];
  return objectProblems(`${id}(${resource.Type})`, resource.Properties ?? {}, spec.properties);
}

function objectProblems(where: string, value: unknown, properties: Properties): string[] {
  if (isIntrinsic(value)) return [];
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return [`${where}: expected an object`];
  }
  const given = value as Record<string, unknown>;
  const problems = Object.entries(properties)
    .filter(([name, property]) => property.required === true && given[name] === undefined)
    .map(([name]) => `${where}.${name}: required, missing`);
  for (const [name, item] of Object.entries(given)) {
    const property = properties[name];
    if (property === undefined) problems.push(`${where}.${name}: not a property of this type`);
    else problems.push(...valueProblems(`${where}.${name}`, item, property.type));
  }
  return problems;
}

function valueProblems(where: string, value: unknown, type: SpecType): string[] {
  if (isIntrinsic(value)) return [];
  const wrong = [`${where}: ${JSON.stringify(value)?.slice(0, 60)} is not ${type.type}`];
  switch (type.type) {
    case "string":
    case "date-time":
      // CloudFormation turns numbers and booleans into strings where a string is expected
      return ["string", "number", "boolean"].includes(typeof value) ? [] : wrong;
    case "number":
    case "integer":
      return typeof value === "number" || /^-?\d+(\.\d+)?$/.test(String(value)) ? [] : wrong;
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false" ? [] : wrong;
    case "json":
      return [];
    case "tag":
      return objectProblems(where, value, {
        Key: { type: { type: "string" }, required: true },
        Value: { type: { type: "string" }, required: true },
      });
    case "array":
      if (!Array.isArray(value)) return wrong;
      return value.flatMap((item, i) => valueProblems(`${where}[${i}]`, item, elementOf(type)));
    case "map":
      if (typeof value !== "object" || value === null) return wrong;
      return Object.entries(value).flatMap(([k, v]) =>
        valueProblems(`${where}.${k}`, v, elementOf(type)),
      );
    case "union": {
      const options = (type.types ?? []).map((option) => valueProblems(where, value, option));
      return options.some((p) => p.length === 0) ? [] : (options[0] ?? wrong);
    }
    case "ref": {
      const definition = db.get("typeDefinition", type.reference?.$ref ?? "");
      return objectProblems(where, value, definition.properties as Properties);
    }
    default:
      return [`${where}: unknown spec type ${type.type}`];
  }
}

function elementOf(type: SpecType): SpecType {
  return type.element ?? { type: "json" };
}

function isIntrinsic(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || (keys[0] ?? "").startsWith("Fn::"));
}
