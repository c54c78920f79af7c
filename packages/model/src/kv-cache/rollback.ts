// The argument rule of truncate(length), shared by every strategy: an integer in [0, the cache's length].
import { RollbackError } from "../errors.js";

/** Throws a RollbackError unless `to` is an integer in [0, length]; `limit` is the shortest length allowed. */
export function checkTruncate(kind: string, length: number, to: number, limit = 0): void {
  if (!Number.isInteger(to) || to < limit || to > length) {
    const range = limit === length ? `only ${length} (its length)` : `an integer in [${limit}, ${length}]`;
    throw new RollbackError(`${kind} cache: cannot truncate to ${to}; it holds ${length} positions, so the length must be ${range}`, to, limit);
  }
}
