/**
 * What a handler recorded in one invocation: the recorder fills it in, `recorded-line.ts` renders
 * it. A module of its own, below both and below `line.ts`, so that none of them imports another
 * for a type.
 */
import type { StorageResolution, Unit } from "./contract";

/** One metric's values, in the order recorded. */
export interface Series {
  readonly unit: Unit;
  readonly resolution: StorageResolution;
  readonly values: number[];
}

export interface RecordedData {
  readonly series: Map<string, Series>;
  /** Every dimension's value: one root member, shared by every set that names it. */
  readonly dimensions: Map<string, string>;
  /** The names `addDimension` gave: the first dimension set, always written. */
  readonly baseSet: string[];
  /** The sets `addDimensionSet` added, beside the first. None names `Service`: all get it. */
  readonly addedSets: string[][];
  readonly properties: Record<string, unknown>;
  /** Why data was dropped (the first few), for the warning line. */
  readonly problems: string[];
  /** How many entries were dropped in all. */
  dropped: number;
}
