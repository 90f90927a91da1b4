import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type LineSizes, packLines, type Sized } from "../functions/vitals/pack";

/** Entries with a label, so a test can tell where each one went. */
interface Labelled extends Sized {
  readonly label: string;
}

function entries(prefix: string, ...sizes: number[]): Labelled[] {
  return sizes.map((bytes, i) => ({ label: `${prefix}${i}`, bytes }));
}

const labels = (lines: Labelled[][]) => lines.map((line) => line.map((entry) => entry.label));

const sizes: LineSizes = { first: 100, extra: 50, directive: 20, limit: 400 };

describe("packLines", () => {
  it("keeps everything on the first line when it fits", () => {
    // Prepare: 100 + 20 + 3 × 90 = 390 bytes
    const slice = entries("a", 90, 90, 90);

    // Act
    const lines = packLines([slice], sizes);

    // Assess
    expect(labels(lines)).toEqual([["a0", "a1", "a2"]]);
  });

  it("starts a new line, at the extra line's size, for an entry that would overflow", () => {
    // Prepare: the 4th entry would take the first line to 490; a later line holds 50 + 20 + 3 × 90
    const slice = entries("a", 90, 90, 90, 90, 90, 90, 90);

    // Act
    const lines = packLines([slice], sizes);

    // Assess
    expect(labels(lines)).toEqual([["a0", "a1", "a2"], ["a3", "a4", "a5"], ["a6"]]);
  });

  it("counts a directive for every 100 entries on a line", () => {
    // Prepare: 100 one-byte entries take 100 + 20 + 100 = 220; the 101st opens a directive (+21)
    const slice = entries("a", ...Array.from({ length: 101 }, () => 1));

    // Act
    const exact = packLines([slice], { ...sizes, limit: 241 });
    const short = packLines([slice], { ...sizes, limit: 240 });

    // Assess
    expect(exact.map((line) => line.length)).toEqual([101]);
    expect(short.map((line) => line.length)).toEqual([100, 1]);
  });

  it("starts each slice after the first on a new line, so a metric appears once per line", () => {
    // Prepare: every entry is small, but slices 1 and 2 hold the same metrics' later values
    const slices = [entries("a", 1, 1), entries("b", 1, 1), entries("c", 1)];

    // Act
    const lines = packLines(slices, sizes);

    // Assess
    expect(labels(lines)).toEqual([["a0", "a1"], ["b0", "b1"], ["c0"]]);
  });

  it("leaves the first line without entries when even one does not fit there", () => {
    // Prepare: the first line is nearly full with the common line and the properties
    const slice = entries("a", 200);

    // Act
    const lines = packLines([slice], { ...sizes, first: 300 });

    // Assess
    expect(labels(lines)).toEqual([[], ["a0"]]);
  });

  it("gives an entry larger than a later line a line of its own rather than none", () => {
    // Prepare
    const slice = entries("a", 10, 500, 10);

    // Act
    const lines = packLines([slice], sizes);

    // Assess
    expect(labels(lines)).toEqual([["a0"], ["a1"], ["a2"]]);
  });

  it("writes only the first line when there are no entries", () => {
    expect(packLines([], sizes)).toEqual([[]]);
  });

  it("keeps every entry once, in order, within the limit, one slice per line", () => {
    const slice = fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 250 });
    const shape = fc.record({
      first: fc.integer({ min: 0, max: 400 }),
      extra: fc.integer({ min: 0, max: 200 }),
      directive: fc.integer({ min: 0, max: 60 }),
    });
    fc.assert(
      fc.property(fc.array(slice, { maxLength: 4 }), shape, (sliceSizes, s) => {
        // Prepare
        const limits = { ...s, limit: 400 };
        const slices = sliceSizes.map((list, k) => entries(`s${k}-`, ...list));

        // Act
        const lines = packLines(slices, limits);

        // Assess: nothing lost or reordered
        expect(lines.flat()).toEqual(slices.flat());
        lines.forEach((line, index) => {
          // no line mixes two slices
          expect(new Set(line.map((e) => e.label.split("-")[0])).size).toBeLessThanOrEqual(1);
          const directives = Math.ceil(line.length / 100);
          const used =
            (index === 0 ? limits.first : limits.extra) +
            directives * limits.directive +
            line.reduce((sum, e) => sum + e.bytes, 0);
          // within the limit, unless it is a later line of one entry too big for any later line
          const oversized =
            index > 0 && limits.extra + limits.directive + (line[0]?.bytes ?? 0) > limits.limit;
          if (oversized) expect(line).toHaveLength(1);
          else expect(used).toBeLessThanOrEqual(limits.limit);
          if (index > 0) expect(line.length).toBeGreaterThan(0);
        });
      }),
      { numRuns: 300 },
    );
  });
});
