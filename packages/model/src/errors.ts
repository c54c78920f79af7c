// Typed errors of @tinylm/model, one class per kind, each carrying structured fields so callers can
// handle them (the CLI maps every one of them to exit status 2 and a one-line message).

/** Longest piece of input a message quotes; longer input is cut there and ends with "…". */
export const QUOTE_LIMIT = 60;

/** Cuts `text` to `limit` characters, marking the cut with "…". */
export function clip(text: string, limit = QUOTE_LIMIT): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

/**
 * A short, safe rendering of any value for a message: JSON for scalars and for flat arrays of scalars,
 * cut at QUOTE_LIMIT characters; a nested array or object is named, not walked (input can be 10,000 deep).
 */
export function quote(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "string") {
      const json = JSON.stringify(value.slice(0, QUOTE_LIMIT)); // escapes can lengthen it: cut again
      return (json.length > QUOTE_LIMIT + 2 ? `${json.slice(0, QUOTE_LIMIT + 1)}"` : json) + (value.length > QUOTE_LIMIT ? "…" : "");
    }
    return clip(String(value));
  }
  if (Array.isArray(value)) {
    const parts: string[] = [];
    let length = 1;
    for (let i = 0; i < value.length && length <= QUOTE_LIMIT; i++) {
      const x: unknown = value[i];
      const part = x === null || typeof x !== "object" ? quote(x) : Array.isArray(x) ? "[…]" : "{…}";
      parts.push(part);
      length += part.length + 2;
    }
    return clip(`[${parts.join(", ")}${parts.length < value.length ? ", …" : ""}]`, QUOTE_LIMIT + 10);
  }
  return "an object";
}

/** A configuration or option value is invalid: `field` says which, the message says why. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`config: ${clip(field)} ${reason}; got ${quote(value)}`);
  }
}

/** The text contains a word outside the 20-word vocabulary, or no word at all. */
export class VocabularyError extends Error {
  override readonly name = "VocabularyError";
  constructor(
    message: string,
    readonly word?: string,
    readonly position?: number,
    readonly suggestion?: string,
  ) {
    super(message);
  }
}

/** A weights file is malformed or does not match its config: `tensor` names the culprit when there is one. */
export class WeightsError extends Error {
  override readonly name = "WeightsError";
  constructor(
    message: string,
    readonly tensor?: string,
  ) {
    super(message);
  }
}

/** A sequence would pass what the model or cache can hold (context_length, cache capacity). */
export class ContextError extends Error {
  override readonly name = "ContextError";
  constructor(
    message: string,
    readonly position: number,
    readonly limit: number,
  ) {
    super(message);
  }
}

/**
 * An argument of a public call has the wrong type or is out of range (a token id past the vocabulary, a
 * start position that is not an integer, something that is not a tensor): `op` is the call, `argument`
 * names the argument in the API's words.
 */
export class ArgumentError extends Error {
  override readonly name = "ArgumentError";
  constructor(
    readonly op: string,
    readonly argument: string,
    readonly value: unknown,
    problem: string,
    expected: string,
  ) {
    super(`${op}: ${clip(argument)} ${problem}; got ${quote(value)}, expected ${expected}`);
  }
}

/**
 * An object cannot do what was asked in its current state: a model or cache used after dispose(), or a
 * cache already serving another generation that has not finished.
 */
export class StateError extends Error {
  override readonly name = "StateError";
  constructor(
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
  }
}

/**
 * A cache cannot roll back to `length`: past its own length, or past rows it already evicted. `limit` is the
 * shortest length it can roll back to now (its length when it cannot roll back at all).
 */
export class RollbackError extends Error {
  override readonly name = "RollbackError";
  constructor(
    message: string,
    readonly length: number,
    readonly limit: number,
  ) {
    super(message);
  }
}
