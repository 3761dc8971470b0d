/**
 * Reads annotated hex fixtures (test/fixtures/<protocol>/*.hex): `#` starts a comment, `> request` and `< reply`
 * start sections, everything else is hex bytes separated by spaces. Shared by the S7 and Logix protocol tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One request and the reply it got (or, for a simulator's fixtures, must get). */
export interface Exchange {
  request: Buffer;
  reply: Buffer;
}

/** The exchanges of `test/fixtures/<folder>/<file>`, in order. */
export function loadExchanges(folder: 'logix' | 's7', file: string): Exchange[] {
  const text = readFileSync(fileURLToPath(new URL(`../fixtures/${folder}/${file}`, import.meta.url)), 'utf8');
  const out: Exchange[] = [];
  let current: 'request' | 'reply' | null = null;
  let digits = '';
  const flush = () => {
    if (current === null) return;
    if (digits.length % 2 !== 0) throw new Error(`${file}: odd number of hex digits`);
    const buf = Buffer.from(digits, 'hex');
    if (current === 'request') out.push({ request: buf, reply: Buffer.alloc(0) });
    else {
      const last = out[out.length - 1];
      if (!last) throw new Error(`${file}: a reply before any request`);
      last.reply = buf;
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

/** Hex of bytes, for readable failure messages. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1 ').trim();
}
