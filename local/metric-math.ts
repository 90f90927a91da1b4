/**
 * The metric math a dashboard draws, evaluated point by point over aligned per-period series:
 * arithmetic (`100 * err / req`), comparisons, `IF`, `FILL`, `ABS`, and `SEARCH` over the
 * metrics in the local store. Grammar and meaning follow "Using metric math" and "CloudWatch
 * search expression syntax" in the Amazon CloudWatch User Guide; what is not implemented says so.
 */

/** One value per timestamp of the range; null where there is no datapoint. */
export type Points = readonly (number | null)[];

/** What an expression gives: one series, or several (a SEARCH), each with its label. */
export type MathResult = { readonly label?: string; readonly points: Points }[];

/** How the evaluator finds what an expression names. */
export interface MathScope {
  /** The series of another row of the widget, by its id. */
  readonly series: (id: string) => Points | undefined;
  /** SEARCH: the series that match, labelled; `stat` and `period` come from the call. */
  readonly search: (query: string, stat: string, period: number) => MathResult;
  readonly length: number;
}

/** A number, one series, or what a SEARCH found (any number of series, none included). */
type Value = number | Points | { readonly found: MathResult };
type Token =
  | { kind: "number"; value: number }
  | { kind: "name"; value: string }
  | { kind: "string"; value: string }
  | { kind: "op"; value: string };

/**
 * Evaluates one expression; throws an Error with a readable message when it cannot.
 *
 * @example
 * evaluate("100 * err / req", { series: (id) => ({ err: [1, 0], req: [4, 2] })[id],
 *   search: () => [], length: 2 }); // [{ points: [25, 0] }]
 */
export function evaluate(expression: string, scope: MathScope): MathResult {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = () => tokens[at];
  const next = () => {
    const token = tokens[at++];
    if (token === undefined) throw new Error(`"${expression}" ends too early`);
    return token;
  };
  const expect = (op: string) => {
    const token = next();
    if (token.kind !== "op" || token.value !== op)
      throw new Error(`expected "${op}" in "${expression}"`);
  };
  const isOp = (...ops: string[]) => {
    const token = peek();
    return token?.kind === "op" && ops.includes(token.value);
  };

  const binary = (ops: string[], operand: () => Value) => () => {
    let left = operand();
    while (isOp(...ops)) {
      const op = (next() as { value: string }).value;
      left = combine(left, operand(), op, scope.length);
    }
    return left;
  };
  const primary = (): Value => {
    const token = next();
    if (token.kind === "number") return token.value;
    if (token.kind === "op" && token.value === "-") return combine(0, primary(), "-", scope.length);
    if (token.kind === "op" && token.value === "(") {
      const inner = comparison();
      expect(")");
      return inner;
    }
    if (token.kind === "name") {
      if (isOp("(")) return call(token.value);
      const series = scope.series(token.value);
      if (series === undefined)
        throw new Error(`"${token.value}" is not the id of a metric in this widget`);
      return series;
    }
    throw new Error(`unexpected ${JSON.stringify(token.value)} in "${expression}"`);
  };
  const call = (name: string): Value => {
    expect("(");
    if (name === "SEARCH") {
      const query = next();
      expect(",");
      const stat = next();
      expect(",");
      const period = next();
      expect(")");
      if (query.kind !== "string" || stat.kind !== "string" || period.kind !== "number") {
        throw new Error("SEARCH takes ('query', 'Statistic', period)");
      }
      return { found: scope.search(query.value, stat.value, period.value) };
    }
    const args: Value[] = [];
    if (!isOp(")")) {
      args.push(comparison());
      while (isOp(",")) {
        next();
        args.push(comparison());
      }
    }
    expect(")");
    return apply(name, args, scope.length);
  };
  const product = binary(["*", "/"], primary);
  const sum = binary(["+", "-"], product);
  const comparison = binary(["<", ">", "<=", ">=", "==", "!="], sum);

  const result = comparison();
  if (at < tokens.length)
    throw new Error(`unexpected ${JSON.stringify(peek()?.value)} in "${expression}"`);
  return asResult(result, scope.length);
}

function apply(name: string, args: Value[], length: number): Value {
  const [a, b, c] = args;
  switch (name) {
    case "IF": {
      if (a === undefined || b === undefined) throw new Error("IF takes (condition, then[, else])");
      const condition = pointsOf(a, length);
      const then = pointsOf(b, length);
      const otherwise = c === undefined ? undefined : pointsOf(c, length);
      return condition.map((v, i) =>
        v === null ? null : v !== 0 ? (then[i] ?? null) : (otherwise?.[i] ?? null),
      );
    }
    case "FILL": {
      if (a === undefined || typeof b !== "number") throw new Error("FILL takes (series, number)");
      return pointsOf(a, length).map((v) => v ?? b);
    }
    case "ABS":
      if (a === undefined) throw new Error("ABS takes (series)");
      return pointsOf(a, length).map((v) => (v === null ? null : Math.abs(v)));
    default:
      throw new Error(`${name}() is not implemented by the local dashboard`);
  }
}

function combine(left: Value, right: Value, op: string, length: number): Value {
  // A number counts at every point of the range, so 100 * err is a series like err.
  const a = pointsOf(left, length);
  const b = pointsOf(right, length);
  return a.map((x, i) => {
    const y = b[i] ?? null;
    return x === null || y === null ? null : operate(x, y, op);
  });
}

/** Division by zero gives no datapoint, rather than Infinity. */
function operate(a: number, b: number, op: string): number | null {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? null : a / b;
    case "<":
      return a < b ? 1 : 0;
    case ">":
      return a > b ? 1 : 0;
    case "<=":
      return a <= b ? 1 : 0;
    case ">=":
      return a >= b ? 1 : 0;
    case "==":
      return a === b ? 1 : 0;
    default:
      return a !== b ? 1 : 0;
  }
}

function pointsOf(value: Value, length: number): Points {
  if (typeof value === "number") return Array.from({ length }, () => value);
  if ("found" in value) {
    const [only, ...more] = value.found;
    if (only === undefined || more.length > 0) {
      throw new Error("arithmetic on a SEARCH that finds other than one series is not implemented");
    }
    return only.points;
  }
  return value;
}

function asResult(value: Value, length: number): MathResult {
  return typeof value === "object" && "found" in value
    ? value.found
    : [{ points: pointsOf(value, length) }];
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern =
    /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|'((?:[^'\\]|\\.)*)'|(<=|>=|==|!=|[-+*/(),<>]))/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    pattern.lastIndex = at;
    const match = pattern.exec(expression);
    if (match === null) throw new Error(`cannot read "${expression.slice(at).trim()}"`);
    at = pattern.lastIndex;
    if (match[1] !== undefined) tokens.push({ kind: "number", value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: "name", value: match[2] });
    else if (match[3] !== undefined)
      tokens.push({ kind: "string", value: match[3].replace(/\\(.)/g, "$1") });
    else tokens.push({ kind: "op", value: match[4] ?? "" });
  }
  return tokens;
}
