/**
 * What every CLI command module shares with the dispatcher: the output sinks and the wrong-usage error (exit 2).
 * Kept apart and small so `baseline --version` and `--help` load nothing else.
 */

import { BaselineError, toErrorData } from '../../src-shared/common/errors.ts';

/** Wrong usage of the command line: reported with a pointer to `baseline --help`, exit code 2. */
export class UsageError extends Error {}

/** Output sinks, so tests can run the CLI in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** Says what went wrong and what to do; returns the exit code (2 wrong usage, 1 anything else). */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof BaselineError && err.code === 'usage') {
    io.err(`baseline: ${err.message}\n  what to do: ${err.hint}\n`);
    return 2;
  }
  if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    io.err(`baseline: ${err.message}\nRun \`baseline --help\` for the commands and options.\n`);
    return 2;
  }
  const data = toErrorData(err);
  io.err(`baseline: ${data.message}\n  what to do: ${data.hint}\n`);
  return 1;
}
