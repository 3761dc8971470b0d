/**
 * Reads annotated hex fixtures (test/fixtures/logix/*.hex): `#` starts a comment, `> request` and `< reply`
 * start sections, everything else is hex bytes separated by spaces.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One request and the reply the spec layout says it gets. */
export interface Exchange {
  request: Buffer;
  reply: Buffer;
}

const FIXTURES = fileURLToPath(new URL('../../fixtures/logix/', import.meta.url));

/** The exchanges of a fixture file, in order. */
export function loadExchanges(file: string): Exchange[] {
  const text = readFileSync(FIXTURES + file, 'utf8');
  const out: Exchange[] = [];
  let current: 'request' | 'reply' | null = null;
  let bytes: string[] = [];
  const flush = () => {
    if (current === null) return;
    const buf = Buffer.from(bytes.join(''), 'hex');
    if (buf.length * 2 !== bytes.join('').length) throw new Error(`${file}: odd or non-hex digits`);
    if (current === 'request') out.push({ request: buf, reply: Buffer.alloc(0) });
    else {
      const last = out[out.length - 1];
      if (!last) throw new Error(`${file}: a reply before any request`);
      last.reply = buf;
    }
    bytes = [];
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '> request' || line === '< reply') {
      flush();
      current = line === '> request' ? 'request' : 'reply';
    } else if (line !== '') {
      if (current === null) throw new Error(`${file}: bytes outside a section`);
      if (!/^[0-9a-fA-F ]+$/.test(line)) throw new Error(`${file}: not hex: ${line}`);
      bytes.push(line.replace(/\s+/g, ''));
    }
  }
  flush();
  return out;
}

/** The single exchange of a fixture file. */
export function loadExchange(file: string): Exchange {
  const [first, ...rest] = loadExchanges(file);
  if (!first || rest.length > 0) throw new Error(`${file}: expected exactly one exchange`);
  return first;
}

/** Hex of a buffer, for readable failure messages. */
export function hex(buf: Buffer): string {
  return buf.toString('hex').replace(/(..)/g, '$1 ').trim();
}
