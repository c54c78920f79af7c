// The one rule shared by the strategies that keep every position (full, paged, int8): a step may not take
// the cache past its capacity (context_length), and the error says how to get further.
import { ContextError } from "../errors.js";

/** Throws a ContextError when `T` new positions after `filled` exceed `capacity`; returns the new length. */
export function checkCapacity(kind: string, filled: number, T: number, capacity: number): number {
  const end = filled + T;
  if (end > capacity) {
    throw new ContextError(
      `${kind} cache: ${T} new positions at position ${filled} exceed its capacity of ${capacity} (context_length). Use a shorter prompt or a window strategy ("sliding-window", "sinks").`,
      filled,
      capacity,
    );
  }
  return end;
}
