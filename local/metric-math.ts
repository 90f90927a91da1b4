/**
 * The part of CloudWatch metric math that alarms use, evaluated one period at a time: numbers,
 * metric ids, `+ - * /`, comparisons (`== != < <= > >=`), `AND`/`&&`, `OR`/`||`, `NOT`/`!`,
 * parentheses, `IF(condition, then[, else])` and `FILL(value, filler)`.
 *
 * Rules ("Using math expressions with CloudWatch metrics", Amazon CloudWatch User Guide,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html):
 * comparisons and logical operators give 1 or 0; `IF` gives `then` where the condition is not 0
 * and `else` where it is, and no datapoint where `else` is left out; `FILL` stands a value in
 * for a missing datapoint. A period where an operand has no datapoint has no result, and a
 * division by zero has none either: CloudWatch drops datapoints that are not numbers.
 */

/** One period's value: a number, or no datapoint. */
export type PeriodValue = number | undefined;

type Node =
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "id"; readonly name: string }
  | { readonly kind: "unary"; readonly op: string; readonly operand: Node }
  | { readonly kind: "binary"; readonly op: string; readonly left: Node; readonly right: Node }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Node[] };

/** A parsed expression: the ids it reads, and its value for one period's metric values. */
export interface MathExpression {
  readonly ids: readonly string[];
  readonly evaluate: (values: Readonly<Record<string, PeriodValue>>) => PeriodValue;
}

const TOKEN =
  /\s*(?:(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>=|[-+*/()<>!,]))/y;

/** Operators from loosest to tightest binding, as in most languages and CloudWatch's examples. */
const LEVELS: readonly (readonly string[])[] = [
  ["OR", "||"],
  ["AND", "&&"],
  ["==", "!="],
  ["<", "<=", ">", ">="],
  ["+", "-"],
  ["*", "/"],
];

/**
 * Parses an expression. Throws a SyntaxError naming the position for anything outside the
 * supported subset (SEARCH, METRICS(), ANOMALY_DETECTION_BAND... are not alarms' business here).
 *
 * @example
 * const rate = parseMathExpression("IF(requests >= 5, 100 * errors / requests, 0)");
 * rate.ids; // ["requests", "errors"]
 * rate.evaluate({ requests: 20, errors: 1 }); // 5
 * rate.evaluate({ requests: 2, errors: 1 }); // 0
 */
export function parseMathExpression(source: string): MathExpression {
  const tokens = tokenize(source);
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string): string => {
    const token = tokens[at];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new SyntaxError(
        `metric math: expected ${expected ?? "more"} at token ${at + 1} of ${JSON.stringify(source)}`,
      );
    }
    at += 1;
    return token;
  };
  const level = (index: number): Node => {
    const ops = LEVELS[index];
    if (ops === undefined) return unary();
    let left = level(index + 1);
    for (let op = peek(); op !== undefined && ops.includes(op.toUpperCase()); op = peek()) {
      take();
      left = { kind: "binary", op: op.toUpperCase(), left, right: level(index + 1) };
    }
    return left;
  };
  const unary = (): Node => {
    const token = peek();
    if (token === "-" || token === "!" || token?.toUpperCase() === "NOT") {
      take();
      return { kind: "unary", op: token === "-" ? "-" : "!", operand: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const token = take();
    if (token === "(") {
      const inner = level(0);
      take(")");
      return inner;
    }
    if (/^\d/.test(token)) return { kind: "number", value: Number(token) };
    if (!/^[A-Za-z_]/.test(token)) {
      throw new SyntaxError(
        `metric math: unexpected ${JSON.stringify(token)} in ${JSON.stringify(source)}`,
      );
    }
    if (peek() !== "(") return { kind: "id", name: token };
    take("(");
    const args: Node[] = [];
    if (peek() !== ")") {
      args.push(level(0));
      while (peek() === ",") {
        take(",");
        args.push(level(0));
      }
    }
    take(")");
    const name = token.toUpperCase();
    const arity = name === "IF" ? [2, 3] : name === "FILL" ? [2, 2] : undefined;
    if (arity === undefined)
      throw new SyntaxError(`metric math: function ${token} is not supported`);
    if (args.length < (arity[0] ?? 0) || args.length > (arity[1] ?? 0)) {
      throw new SyntaxError(`metric math: ${name} takes ${arity.join(" or ")} arguments`);
    }
    return { kind: "call", name, args };
  };
  const tree = level(0);
  if (at !== tokens.length) {
    throw new SyntaxError(
      `metric math: unexpected ${JSON.stringify(tokens[at])} in ${JSON.stringify(source)}`,
    );
  }
  const ids = new Set<string>();
  collectIds(tree, ids);
  return { ids: [...ids], evaluate: (values) => evaluate(tree, values) };
}

function tokenize(source: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (source.slice(TOKEN.lastIndex).trim() === "") break;
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(source);
    if (match === null) {
      throw new SyntaxError(`metric math: cannot read ${JSON.stringify(source.slice(start))}`);
    }
    tokens.push((match[1] ?? match[2] ?? match[3]) as string);
  }
  return tokens;
}

function collectIds(node: Node, ids: Set<string>): void {
  if (node.kind === "id") ids.add(node.name);
  else if (node.kind === "unary") collectIds(node.operand, ids);
  else if (node.kind === "binary") {
    collectIds(node.left, ids);
    collectIds(node.right, ids);
  } else if (node.kind === "call") for (const arg of node.args) collectIds(arg, ids);
}

function evaluate(node: Node, values: Readonly<Record<string, PeriodValue>>): PeriodValue {
  switch (node.kind) {
    case "number":
      return node.value;
    case "id": {
      if (!(node.name in values))
        throw new ReferenceError(`metric math: no metric with id ${node.name}`);
      return values[node.name];
    }
    case "unary": {
      const value = evaluate(node.operand, values);
      if (value === undefined) return undefined;
      return node.op === "-" ? -value : truth(value === 0);
    }
    case "binary": {
      const left = evaluate(node.left, values);
      const right = evaluate(node.right, values);
      if (left === undefined || right === undefined) return undefined;
      return binary(node.op, left, right);
    }
    case "call": {
      const [first, second, third] = node.args as [Node, Node, Node | undefined];
      if (node.name === "FILL") return evaluate(first, values) ?? evaluate(second, values);
      const condition = evaluate(first, values);
      if (condition === undefined) return undefined;
      if (condition !== 0) return evaluate(second, values);
      return third === undefined ? undefined : evaluate(third, values);
    }
  }
}

function binary(op: string, left: number, right: number): PeriodValue {
  switch (op) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return right === 0 ? undefined : left / right;
    case "==":
      return truth(left === right);
    case "!=":
      return truth(left !== right);
    case "<":
      return truth(left < right);
    case "<=":
      return truth(left <= right);
    case ">":
      return truth(left > right);
    case ">=":
      return truth(left >= right);
    case "AND":
    case "&&":
      return truth(left !== 0 && right !== 0);
    default:
      return truth(left !== 0 || right !== 0);
  }
}

function truth(value: boolean): number {
  return value ? 1 : 0;
}
