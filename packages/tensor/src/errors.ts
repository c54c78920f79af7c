// Typed errors of @tinylm/tensor. Messages follow the house form:
// "<op>: <what is wrong>; got <actual>, expected <expected>".

/** A tensor had the wrong rank or shape for an op. */
export class ShapeError extends Error {
  override readonly name = "ShapeError";
  constructor(
    readonly op: string,
    readonly problem: string,
    readonly actual: string,
    readonly expected: string,
  ) {
    super(`${op}: ${problem}; got ${actual}, expected ${expected}`);
  }
}

/** A value made an op undefined (e.g. a softmax row where every entry is masked). */
export class NumericError extends Error {
  override readonly name = "NumericError";
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

/** An index (token id, row) outside the valid range. */
export class IndexError extends Error {
  override readonly name = "IndexError";
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

/** A kernel backend was asked for but cannot run here. */
export class BackendError extends Error {
  override readonly name = "BackendError";
  constructor(message: string) {
    super(`backend: ${message}`);
  }
}
