/**
 * Fills a simulated S7 CPU's memory from a capture profile and known values: every DB the profile names exists
 * (sized to its highest byte), and each tag holds the given value or zero.
 */
import { encodeS7Value, type S7Value } from '../s7/s7-codec.ts';
import type { S7Profile } from '../../../src-shared/common/profile/capture-profile.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { S7Areas } from './s7/s7-simulator.ts';

/** Builds the memory areas; `values` maps tag names to values (LINT as a decimal string). */
export function s7AreasFromProfile(profile: S7Profile, values: Record<string, unknown> = {}): S7Areas {
  const unknown = Object.keys(values).filter((k) => !profile.tags.some((t) => t.tag === k));
  if (unknown.length)
    throw new BaselineError(
      'simulator-values',
      `The values file names tags the profile does not have: ${unknown.slice(0, 5).join(', ')}.`,
      'Use the tag names of the profile (first CSV column).',
    );
  const size = new Map<string, number>();
  const key = (area: string, db: number) => `${area}:${db}`;
  for (const t of profile.tags) {
    const k = key(t.location.area, t.location.db);
    size.set(k, Math.max(size.get(k) ?? 0, t.location.start + t.location.length));
  }
  const mem = new Map([...size].map(([k, n]) => [k, new Uint8Array(Math.max(n, 2))]));
  for (const t of profile.tags) {
    const a = t.location;
    const buf = mem.get(key(a.area, a.db))!;
    const v = values[t.tag];
    if (v === undefined) continue;
    if (a.type === 'BOOL') {
      const mask = 1 << (a.bit ?? 0);
      buf[a.start] = v === true ? buf[a.start]! | mask : buf[a.start]! & ~mask;
      continue;
    }
    buf.set(encodeS7Value(a, (a.type === 'LINT' ? BigInt(v as string) : v) as S7Value), a.start);
  }
  const dbs: Record<number, Uint8Array> = {};
  for (const [k, buf] of mem) {
    const [area, db] = k.split(':');
    if (area === 'DB') dbs[Number(db)] = buf;
  }
  return {
    dbs,
    ...(mem.get('M:0') ? { m: mem.get('M:0')! } : {}),
    ...(mem.get('I:0') ? { i: mem.get('I:0')! } : {}),
    ...(mem.get('Q:0') ? { q: mem.get('Q:0')! } : {}),
  };
}
