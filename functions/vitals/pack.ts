/**
 * How a handler's metrics are spread over lines, as a pure function of sizes: the limits it keeps
 * are tested without building a line (test/pack.test.ts).
 */
import { LIMITS } from "./emf";

/** One metric's slice of at most 100 values, as the bytes it adds to a line. */
export interface Sized {
  readonly bytes: number;
}

/** The sizes a packing respects, all in bytes. */
export interface LineSizes {
  /** The first line before any entry: the common line, the properties, the dimensions. */
  readonly first: number;
  /** A later line before any entry. */
  readonly extra: number;
  /** What a directive adds besides its entries; a line opens one per 100 entries. */
  readonly directive: number;
  /** The most a line may take. */
  readonly limit: number;
}

/**
 * Spreads entries over lines, in order. `slices[k]` holds every metric's k-th slice of values; a
 * metric appears once per line, so each k after the first starts a new line. An entry that
 * would take a line over the limit starts a new one. The first line, which carries the request
 * metrics, may end up with no entry at all; a later line takes at least one (the recorder's limits
 * make sure it fits).
 *
 * @example
 * const sizes = { first: 100, extra: 100, directive: 50, limit: 700 };
 * packLines([[{ bytes: 300 }, { bytes: 300 }]], sizes);
 * // [[{ bytes: 300 }], [{ bytes: 300 }]]: the second entry would take the first line to 750
 */
export function packLines<T extends Sized>(
  slices: readonly (readonly T[])[],
  sizes: LineSizes,
): T[][] {
  const lines: T[][] = [];
  let line: T[] = [];
  let used = sizes.first;
  for (const [k, slice] of slices.entries()) {
    for (const [position, entry] of slice.entries()) {
      const laterSlice = k > 0 && position === 0;
      const overflows =
        used + cost(entry, line, sizes) > sizes.limit && (line.length > 0 || lines.length === 0);
      if (laterSlice || overflows) {
        lines.push(line);
        line = [];
        used = sizes.extra;
      }
      used += cost(entry, line, sizes);
      line.push(entry);
    }
  }
  lines.push(line);
  return lines;
}

/** What an entry adds to `line`: its own bytes, and a new directive's every 100 entries. */
function cost(entry: Sized, line: readonly Sized[], sizes: LineSizes): number {
  return entry.bytes + (line.length % LIMITS.metricsPerDirective === 0 ? sizes.directive : 0);
}
