/**
 * Splits a child process's output into lines without ever holding more than one bounded line:
 * a handler that prints megabytes without a newline must not grow the launcher's memory, so an
 * over-long line is cut, reported once as oversized, and the rest of it skipped.
 */

/** What the splitter hands on: a whole line, or the news that one was too long to keep. */
export type SplitLine =
  | { readonly kind: "line"; readonly text: string }
  | { readonly kind: "oversized"; readonly bytes: number; readonly head: string };

/** CloudWatch Logs keeps at most 1 MB per event; a line past this is rejected there too. */
export const MAX_LINE_BYTES = 1_048_576;

/**
 * Returns a function to call with each chunk; it calls `emit` for every complete line (without
 * its `\n` or `\r\n`). `flush` emits what is left when the stream ends.
 *
 * @example
 * const split = createLineSplitter((line) => console.log(line));
 * child.stdout.on("data", split.push);
 * child.stdout.on("end", split.flush);
 */
export function createLineSplitter(
  emit: (line: SplitLine) => void,
  maxBytes: number = MAX_LINE_BYTES,
): { readonly push: (chunk: Buffer | string) => void; readonly flush: () => void } {
  let parts: Buffer[] = [];
  let held = 0;
  // bytes of the current line seen so far, kept or not: set once the line is over the limit
  let skipped: { bytes: number; head: string } | undefined;

  const end = () => {
    if (skipped !== undefined) {
      emit({ kind: "oversized", bytes: skipped.bytes, head: skipped.head });
    } else {
      const text = Buffer.concat(parts).toString("utf8");
      emit({ kind: "line", text: text.endsWith("\r") ? text.slice(0, -1) : text });
    }
    parts = [];
    held = 0;
    skipped = undefined;
  };

  const take = (piece: Buffer) => {
    if (skipped !== undefined) {
      skipped.bytes += piece.length;
      return;
    }
    if (held + piece.length > maxBytes) {
      const head = Buffer.concat([...parts, piece])
        .subarray(0, 80)
        .toString("utf8");
      skipped = { bytes: held + piece.length, head };
      parts = [];
      held = 0;
      return;
    }
    parts.push(piece);
    held += piece.length;
  };

  return {
    push: (chunk) => {
      let buffer = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10)) {
        take(buffer.subarray(0, newline));
        end();
        buffer = buffer.subarray(newline + 1);
      }
      if (buffer.length > 0) take(buffer);
    },
    flush: () => {
      if (held > 0 || skipped !== undefined) end();
    },
  };
}
