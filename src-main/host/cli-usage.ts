/**
 * What every CLI command module shares with the dispatcher: the output sinks and the wrong-usage error (exit 2).
 * Kept apart and small so `baseline --version` and `--help` load nothing else.
 */

/** Wrong usage of the command line: reported with a pointer to `baseline --help`, exit code 2. */
export class UsageError extends Error {}

/** Output sinks, so tests can run the CLI in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}
