// The bench's own error: a bad command line or a run that cannot be done as asked. main prints its
// message on one line and exits 2; anything else is a bug and keeps its stack trace.

export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly option?: string,
  ) {
    super(message);
  }
}
