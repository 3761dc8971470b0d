/**
 * What a capture returns: every profile tag with its value (or why it has none), the controller's identity,
 * and the request counts. A capture with any bad tag is incomplete and can never be used as evidence.
 */
import type { ErrorData } from '../errors.ts';
import type { JsonValue } from '../canonical-json.ts';

/** One captured tag. */
export interface CapturedValue {
  tag: string;
  /** JSON form of the value: numbers, booleans, strings; 64-bit integers as decimal strings; NaN/±Infinity as strings. */
  value: JsonValue;
  /** The bytes exactly as read (hex: registers big-endian for Modbus, bytes for S7), for bit-exact comparison. */
  raw: string | null;
  quality: 'good' | 'bad';
  /** Why the tag has no good value. */
  error?: string;
}

/** The device process's answer to a capture job. */
export interface CaptureJobResult {
  identity: Record<string, string> | null;
  values: CapturedValue[];
  /** Value-read requests actually sent (retries included). */
  requests: number;
  /** Requests spent reading the controller's identity (not part of the plan). */
  identityRequests: number;
  /** Requests the plan called for. */
  plannedRequests: number;
  /** Proven lower bound for this profile and the negotiated sizes. */
  minimumRequests: number;
  /** Negotiated sizes the plan used (S7 PDU, CIP packet size), for the record. */
  negotiated: Record<string, number>;
  durationMs: number;
  /** Every tag read good. */
  complete: boolean;
  /** A failure that stopped the capture part-way (the remaining tags are bad), or null. */
  failure: ErrorData | null;
}

/** Converts a decoded value to its JSON form; exact bits (NaN payloads, -0) are kept in `raw`. */
export function toJsonValue(v: boolean | number | bigint | string): JsonValue {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

/** Hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
