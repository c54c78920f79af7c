// Typed errors of @tinylm/model, one class per kind, each carrying structured fields so callers can
// handle them (the CLI maps every one of them to exit status 2 and a one-line message).

/** A configuration or option value is invalid: `field` says which, the message says why. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly field: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(`config: ${field} ${reason}; got ${JSON.stringify(value) ?? String(value)}`);
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
