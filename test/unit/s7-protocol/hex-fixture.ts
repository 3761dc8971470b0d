/** The S7 hex fixtures (test/fixtures/s7/*.hex); the format is read by test/helpers/hex-fixtures.ts. */
import { loadExchanges as load, type Exchange } from '../../helpers/hex-fixtures.ts';

export { hex, type Exchange } from '../../helpers/hex-fixtures.ts';

/** The exchanges of a fixture file, in order (bytes as plain Uint8Array, as the S7 codec takes them). */
export function loadExchanges(file: string): { request: Uint8Array; reply: Uint8Array }[] {
  return load('s7', file).map((e: Exchange) => ({ request: Uint8Array.from(e.request), reply: Uint8Array.from(e.reply) }));
}

/** Exchange `n` (0-based) of a fixture file. */
export function exchange(file: string, n: number): { request: Uint8Array; reply: Uint8Array } {
  const e = loadExchanges(file)[n];
  if (!e) throw new Error(`${file}: no exchange ${n}`);
  return e;
}

/** Bytes from spaced hex. */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
}
