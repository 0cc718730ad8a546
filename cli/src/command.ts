/** A `tributary` subcommand. `run` returns the exit code: 0 ok, 1 runtime error, 2 usage or config error. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Prints a one-line error that names the fix, as the command line contract asks. */
export function fail(message: string): void {
  process.stderr.write(`tributary: ${message}\n`);
}
