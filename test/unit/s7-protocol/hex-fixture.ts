/**
 * Reads annotated hex fixtures (test/fixtures/s7/*.hex): `#` starts a comment, `> request` and `< reply` start
 * sections, everything else is hex bytes separated by spaces.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One request and the reply it got (or, in simulator-replies.hex, must get). */
export interface Exchange {
  request: Uint8Array;
  reply: Uint8Array;
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/s7/', import.meta.url));

/** The exchanges of a fixture file, in order. */
export function loadExchanges(file: string): Exchange[] {
  const text = readFileSync(FIXTURES + file, 'utf8');
  const out: Exchange[] = [];
  let current: 'request' | 'reply' | null = null;
  let digits = '';
  const flush = () => {
    if (current === null) return;
    if (digits.length % 2 !== 0) throw new Error(`${file}: odd number of hex digits`);
    const bytes = Uint8Array.from(Buffer.from(digits, 'hex'));
    if (current === 'request') out.push({ request: bytes, reply: new Uint8Array(0) });
    else {
      const last = out[out.length - 1];
      if (!last) throw new Error(`${file}: a reply before any request`);
      last.reply = bytes;
    }
    digits = '';
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '> request' || line === '< reply') {
      flush();
      current = line === '> request' ? 'request' : 'reply';
    } else if (line !== '') {
      if (current === null) throw new Error(`${file}: bytes outside a section`);
      if (!/^[0-9a-fA-F ]+$/.test(line)) throw new Error(`${file}: not hex: ${line}`);
      digits += line.replace(/\s+/g, '');
    }
  }
  flush();
  return out;
}

/** Exchange `n` (0-based) of a fixture file. */
export function exchange(file: string, n: number): Exchange {
  const e = loadExchanges(file)[n];
  if (!e) throw new Error(`${file}: no exchange ${n}`);
  return e;
}

/** Hex of bytes, for readable failure messages. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
}

/** Bytes from spaced hex. */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
