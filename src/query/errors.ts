/**
 * An error whose message is fit to show a person as is: it names what was wrong and what to do.
 * Everything the query core throws on bad input is one of these, so adapters never print a stack trace.
 */
export class EgressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    return err.message;
  }
  if (typeof err === 'string') {
    return err;
  }
  return String(err);
}
