/** SHA-256 helpers (node:crypto). */
import { createHash } from 'node:crypto';

/** SHA-256 of bytes or UTF-8 text, as lowercase hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** True when a string looks like a SHA-256 hex digest. */
export function isSha256Hex(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value);
}
