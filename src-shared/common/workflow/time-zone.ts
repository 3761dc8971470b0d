/**
 * Wall-clock time in a plant's IANA time zone, for change windows and blackouts. Luxon supplies the zone rules
 * (from the runtime's Intl data); this module fixes how a local time that a daylight-saving change skips or
 * repeats maps to an instant, the way RFC 5545 §3.3.5 (iCalendar) does, so calendars exported later agree:
 * - a repeated local time (clocks go back) is its FIRST occurrence;
 * - a skipped local time (clocks go forward) is read with the offset in force before the gap, i.e. it moves
 *   forward by the length of the gap (02:30 on the spring-forward night in Berlin is 03:30 CEST).
 * Luxon alone resolves repeated times to the second occurrence, hence the explicit rule here.
 */
import { DateTime, IANAZone } from 'luxon';

const DAY_MS = 86_400_000;
const ZONE_NAME = /^(?:UTC|[A-Z][A-Za-z_-]*(?:\/[A-Za-z0-9_+-]+)+)$/;

/** A wall-clock date and time (month 1-12; hour 0-24, where 24:00 is the next day's 00:00). */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** Why a time zone name cannot be used, or null when it is a real IANA zone such as Europe/Berlin or UTC. */
export function timeZoneProblem(name: string): string | null {
  if (ZONE_NAME.test(name) && IANAZone.isValidZone(name)) return null;
  if (/^[+-]\d{1,2}(:?\d{2})?$/.test(name)) {
    return `"${name}" is a fixed UTC offset, not a time zone: it cannot follow daylight-saving changes. Use an IANA name such as America/Chicago`;
  }
  return `"${name}" is not an IANA time zone name (such as America/Chicago or Europe/Berlin)`;
}

/** Whether a time zone name is a real IANA zone. */
export function isTimeZone(name: string): boolean {
  return timeZoneProblem(name) === null;
}

function offsetMinutes(zone: IANAZone, instant: number): number {
  return zone.offset(instant);
}

/** The instant (epoch ms) of a wall-clock time in a zone, with the RFC 5545 rules for skipped and repeated times. */
export function localToInstant(local: LocalDateTime, zoneName: string): number {
  const zone = IANAZone.create(zoneName);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  const candidates = new Set([offsetMinutes(zone, asUtc - DAY_MS), offsetMinutes(zone, asUtc), offsetMinutes(zone, asUtc + DAY_MS)]);
  let best: number | null = null;
  for (const offset of candidates) {
    const instant = asUtc - offset * 60_000;
    if (offsetMinutes(zone, instant) === offset && (best === null || instant < best)) best = instant;
  }
  if (best !== null) return best;
  // Skipped by a clock change: read with the offset before the gap.
  return asUtc - offsetMinutes(zone, asUtc - DAY_MS) * 60_000;
}

/** The wall-clock date and time of an instant in a zone, and the weekday (0 = Sunday ... 6 = Saturday). */
export function instantToLocal(instant: number, zoneName: string): LocalDateTime & { weekday: number } {
  const shifted = new Date(instant + offsetMinutes(IANAZone.create(zoneName), instant) * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    weekday: shifted.getUTCDay(),
  };
}

/** A calendar date moved by whole days (month and year roll over as on a calendar). */
export function addDays(
  date: { year: number; month: number; day: number },
  days: number,
): { year: number; month: number; day: number; weekday: number } {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day) + days * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: d.getUTCDay() };
}

/** ISO 8601 with the zone's offset, e.g. `2026-03-29T01:00:00+01:00`, for calendars that show plant time. */
export function formatLocalIso(instant: number, zoneName: string): string {
  return DateTime.fromMillis(instant, { zone: zoneName }).toISO({ suppressMilliseconds: true }) ?? new Date(instant).toISOString();
}

/**
 * The zone's abbreviation in force at an instant, as plant time is labelled on screen: `CDT` in summer and `CST` in
 * winter for America/Chicago; `GMT+1` where English has no abbreviation (Europe/Berlin).
 */
export function zoneAbbreviation(instant: number, zoneName: string): string {
  const t = DateTime.fromMillis(instant, { zone: zoneName });
  return (t.isValid ? t.setLocale('en-US').offsetNameShort : null) ?? zoneName;
}

/**
 * A short human form for reasons, refusals and the change timeline, labelled like every other plant time on
 * screen: `Wed 3 Jun 2026 10:00 CDT`, `Tue 15 Dec 2026 00:00 CST`.
 */
export function formatLocal(instant: number, zoneName: string): string {
  const t = DateTime.fromMillis(instant, { zone: zoneName });
  return `${t.setLocale('en-GB').toFormat('ccc d LLL yyyy HH:mm')} ${zoneAbbreviation(instant, zoneName)}`;
}

/** Whether a calendar date exists (no 30 February, no month 13). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/** A date or date-time as a policy writes it: wall-clock (read in a zone) or absolute (with Z or an offset). */
export type DateTimeText = { kind: 'local'; local: LocalDateTime; dateOnly: boolean } | { kind: 'absolute'; instant: number };

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Reads `2026-04-01` (a whole day), `2026-04-01T06:00` or `2026-04-01 06:00` (wall clock in the policy's zone),
 * or `2026-04-01T06:00:00Z` / `...+02:00` (an absolute instant); null when the text is none of these.
 */
export function parseDateTimeText(text: string): DateTimeText | null {
  const m = DATE_TIME.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h ?? 0),
    minute = Number(mi ?? 0),
    second = Number(s ?? 0);
  if (year < 1970 || !isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  if (zone !== undefined) {
    const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    return { kind: 'absolute', instant: Date.UTC(year, month - 1, day, hour, minute, second) - offset * 60_000 };
  }
  if (second !== 0) return null;
  return { kind: 'local', local: { year, month, day, hour, minute }, dateOnly: h === undefined };
}

/**
 * The instant a policy date-time stands for. A date alone is the START of that day as a start and the END of that
 * day (the next midnight) as an end, so `start: 2026-12-15, end: 2027-01-05` includes all of 5 January.
 */
export function resolveDateTimeText(value: DateTimeText, zoneName: string, as: 'start' | 'end'): number {
  if (value.kind === 'absolute') return value.instant;
  if (value.dateOnly && as === 'end') return localToInstant({ ...addDays(value.local, 1), hour: 0, minute: 0 }, zoneName);
  return localToInstant(value.local, zoneName);
}
