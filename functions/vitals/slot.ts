/**
 * The per-invocation slot the wrapper attaches to the invocation's `context`. It is all that the
 * wrapper and `metricsFor` share, so a handler that records nothing bundles none of the recorder.
 */
import type { Recording } from "./line";

/** Most handlers record nothing, so the recording is made only when asked for. */
export interface Slot {
  /** Set when the line has been written: later data has nowhere to go. */
  closed: boolean;
  recording: Recording | undefined;
}

/**
 * Global (`Symbol.for`), so that a wrapper and `metricsFor` from two bundles of the same copy
 * meet; versioned, so that a copy with another slot format ignores the slot instead of misreading it.
 */
export const SLOT = Symbol.for("lambda-vitals.slot.2");

/** Attaches the invocation's slot to its context; a frozen context simply records nothing. */
export function attach(context: unknown, slot: Slot): void {
  try {
    (context as Record<symbol, Slot>)[SLOT] = slot;
  } catch {
    // fail open: the handler's metrics are dropped, its result is not
  }
}

/** The slot of the invocation `context` belongs to, if a wrapper attached one. */
export function slotOf(context: unknown): Slot | undefined {
  return (context as Record<symbol, Slot | undefined> | undefined)?.[SLOT];
}
