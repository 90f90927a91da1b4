/**
 * serverless-offline's route table, with the addresses the developer can use. It prints the
 * table in a box 80 columns wide, with the address it listens on, which under `npm start` is a
 * Unix socket behind the gate (api-gate.ts): the box's lines are collected, unwrapped, given the
 * gate's address and printed one route a line. Pure.
 */

const METHOD = /(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|ANY)\s*\|\s*/g;

/** Whether a line belongs to the box: its top, its sides or its bottom. */
export function isRouteTableLine(text: string): boolean {
  return /^[┌│└]/.test(text);
}

/**
 * The routes in the box's lines, one a line, each address passed through `address`.
 *
 * @example
 * routeLines(["┌──┐", "│   GET  | http://127.0.0.1:/tmp/x/http.sock/health   │", "└──┘"], fix);
 * // ["   GET  | http://127.0.0.1:3000/health"]
 */
export function routeLines(box: readonly string[], address: (text: string) => string): string[] {
  const text = box
    .filter((line) => line.startsWith("│"))
    .map((line) => line.replace(/^│\s*/, "").replace(/\s*│$/, ""))
    .join("");
  const starts = [...text.matchAll(METHOD)];
  return starts.map((match, i) => {
    const end = starts[i + 1]?.index ?? text.length;
    const url = text.slice((match.index ?? 0) + match[0].length, end).trim();
    return `   ${(match[1] ?? "").padEnd(4)} | ${address(url)}`;
  });
}
