/**
 * Bundle anatomy for `--profile`: bytes of the real minified bundle per source file, split into
 * prose string literals (messages: they contain a space), name-like string literals, and code.
 * Each literal is attributed to its source file through the bundle's source map.
 */
import { Parser } from "acorn";
import { simple } from "acorn-walk";
import { build } from "esbuild";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Source-map segments per generated line: [column, sourceIndex, nameIndex?], by column. */
function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  let name = 0;
  for (const line of mappings.split(";")) {
    const segments = [];
    let column = 0;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = BASE64.indexOf(char);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0];
      if (fields.length >= 4) {
        source += fields[1];
        if (fields.length >= 5) name += fields[4];
        segments.push([column, source, fields.length >= 5 ? name : undefined]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

function segmentAt(lines, line, column) {
  const segments = lines[line - 1] ?? [];
  let found;
  for (const segment of segments) {
    if (segment[0] > column) break;
    found = segment;
  }
  return found ?? [];
}

const sourceAt = (lines, line, column) => segmentAt(lines, line, column)[1];

/**
 * @param {string} root project root
 * @param {string} entry e.g. functions/orders.ts
 * @returns {Promise<string>} markdown
 */
export async function anatomy(root, entry) {
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    minify: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    sourcemap: "external",
    outfile: "anatomy.cjs",
    write: false,
    metafile: true,
    legalComments: "none",
  });
  const code = result.outputFiles.find((f) => f.path.endsWith(".cjs")).text;
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith(".map")).text);
  const lines = decodeMappings(map.mappings);
  const perFile = new Map();
  const literals = [];
  const add = (node, text, bytes) => {
    const index = sourceAt(lines, node.loc.start.line, node.loc.start.column);
    const file = (map.sources[index] ?? "?").replace(/^(\.\.\/)+/, "");
    const entryOf = perFile.get(file) ?? { prose: 0, names: 0 };
    if (/\s/.test(text)) entryOf.prose += bytes;
    else entryOf.names += bytes;
    perFile.set(file, entryOf);
    literals.push({ file, text, bytes });
  };
  const ast = Parser.parse(code, { ecmaVersion: "latest", locations: true });
  simple(ast, {
    Literal(node) {
      if (typeof node.value === "string") add(node, node.value, node.end - node.start);
    },
    TemplateLiteral(node) {
      const inner = node.expressions.reduce((sum, e) => sum + e.end - e.start, 0);
      add(node, node.quasis.map((q) => q.value.cooked).join("{…}"), node.end - node.start - inner);
    },
  });
  // Function and constant sizes: every declaration that is not nested in a function.
  const declarations = [];
  const declared = (id, node) => {
    const [, index, nameIndex] = segmentAt(lines, id.loc.start.line, id.loc.start.column);
    const file = (map.sources[index] ?? "?").replace(/^(\.\.\/)+/, "");
    const original = map.names[nameIndex] ?? id.name;
    declarations.push({ file, name: original, bytes: node.end - node.start });
  };
  const visit = (node) => {
    if (node === null || typeof node !== "object") return;
    if (node.type === "FunctionDeclaration" || node.type === "ClassDeclaration") {
      if (node.id) declared(node.id, node);
      return;
    }
    if (node.type === "VariableDeclarator" && node.id.type === "Identifier" && node.init) {
      declared(node.id, node);
      return;
    }
    if (/Function|Arrow/.test(node.type)) return;
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) value.forEach(visit);
      else if (value && typeof value.type === "string") visit(value);
    }
  };
  visit(ast);
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  let md = `\n## Bundle anatomy: ${entry} (${code.length} B minified)\n\n`;
  md +=
    "Literal bytes include quotes; prose = contains a space (messages); via the source map.\n\n";
  md += "| input | bytes | prose literals | name literals | code |\n|---|---:|---:|---:|---:|\n";
  const total = { bytes: 0, prose: 0, names: 0 };
  const inputs = Object.entries(output.inputs).sort(
    (a, b) => b[1].bytesInOutput - a[1].bytesInOutput,
  );
  for (const [path, { bytesInOutput }] of inputs) {
    if (bytesInOutput === 0) continue;
    const { prose, names } = perFile.get(path) ?? { prose: 0, names: 0 };
    md += `| ${path} | ${bytesInOutput} | ${prose} | ${names} | ${bytesInOutput - prose - names} |\n`;
    total.bytes += bytesInOutput;
    total.prose += prose;
    total.names += names;
  }
  md += `| **total** | ${total.bytes} | ${total.prose} | ${total.names} `;
  md += `| ${total.bytes - total.prose - total.names} |\n`;
  md += "\nLargest top-level functions and constants (minified bytes):\n\n";
  md += "| bytes | file | declaration |\n|---:|---|---|\n";
  for (const d of declarations.sort((a, b) => b.bytes - a.bytes).slice(0, 30)) {
    md += `| ${d.bytes} | ${d.file} | \`${d.name}\` |\n`;
  }
  md += "\nLongest literals:\n\n| bytes | file | literal |\n|---:|---|---|\n";
  for (const l of literals.sort((a, b) => b.bytes - a.bytes).slice(0, 20)) {
    const text = l.text.replace(/\|/g, "\\|").replace(/\n/g, " ").slice(0, 90);
    md += `| ${l.bytes} | ${l.file} | \`${text}\` |\n`;
  }
  return md;
}
