/** Reading a user's file with a size limit checked before the file is read (the CLI's answer to a 19 MB profile). */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { BaselineError } from '../../src-shared/common/errors.ts';

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * Reads `path` whole if it holds at most `maxBytes`; refuses a larger file before reading it (by its size, and for
 * pipes and devices, which report none, after `maxBytes + 1` bytes).
 */
export function readBoundedFile(path: string, maxBytes: number, what: { code: string; noun: string; hint: string }): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new BaselineError(
      `${what.code}-unreadable`,
      `The ${what.noun} ${path} cannot be read.`,
      'Check the path and that you may read the file.',
    );
  }
  try {
    const tooBig = (size: string) =>
      new BaselineError(
        `${what.code}-too-large`,
        `The ${what.noun} ${path} is ${size}; Baseline reads at most ${megabytes(maxBytes)}.`,
        what.hint,
        { path, maxBytes },
      );
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw tooBig(megabytes(size));
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(1 << 20, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooBig(`more than ${megabytes(maxBytes)}`);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
