/**
 * Asks for passwords on the command line. On a terminal the typing is not echoed; otherwise (scripts, tests)
 * each prompt reads the next line of standard input. Passwords are never taken from arguments or the
 * environment, where other users and shell histories could see them.
 */
import { createInterface } from 'node:readline';
import { BaselineError } from '../../src-shared/common/errors.ts';

let pipedLines: string[] | null = null;
let pipedReader: Promise<void> | null = null;

async function readPiped(): Promise<void> {
  pipedLines = [];
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) pipedLines.push(line);
}

function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    process.stderr.write(prompt);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    let value = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Asks for one secret. */
export async function askSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return readHidden(prompt);
  pipedReader ??= readPiped();
  await pipedReader;
  const line = pipedLines!.shift();
  if (line === undefined) {
    throw new BaselineError(
      'no-password',
      `No answer for "${prompt.trim()}": standard input ended before the password.`,
      'Run the command in a terminal to type it, or give each password asked for on its own line of standard input (e.g. `printf \'%s\\n\' "$PW" | baseline …`).',
    );
  }
  return line;
}
