/**
 * Change windows and blackouts in time: their occurrences per line for a calendar, whether an instant or a slot
 * is inside a window and clear of blackouts for a change class, and the first instant a change may start.
 *
 * Weekly windows are wall-clock periods in the window's IANA zone (the plant's unless the window names one), so
 * a Sunday 01:00-05:00 window in Europe/Berlin lasts 3 real hours on the night clocks go forward and 5 on the
 * night they go back; skipped and repeated local times follow RFC 5545 (time-zone.ts). Everything is computed
 * in epoch milliseconds and returned as ISO 8601 instants, plus the local times for display.
 */
import { BaselineError } from '../errors.ts';
import type { BlackoutPolicy, ChangeWindowPolicy, Policy } from './policy-schema.ts';
import {
  addDays,
  formatLocal,
  formatLocalIso,
  instantToLocal,
  localToInstant,
  parseDateTimeText,
  resolveDateTimeText,
  timeZoneProblem,
} from './time-zone.ts';
import { WEEKDAYS, type ChangeClass, type LineFact } from './workflow-terms.ts';
import { policyCitation } from './policy-citation.ts';

const DAY_MS = 86_400_000;
/** The longest range a calendar query may cover: a year and a month. */
export const MAX_CALENDAR_DAYS = 400;

/** A half-open interval of time [start, end) in epoch ms. */
export interface Interval {
  start: number;
  end: number;
}

/** One occurrence of a change window, as a calendar shows it. */
export interface WindowOccurrence {
  kind: 'window';
  name: string;
  type: ChangeWindowPolicy['type'];
  description: string;
  classes: ChangeClass[];
  timeZone: string;
  /** ISO 8601 UTC instants; the window is [start, end). */
  start: string;
  end: string;
  /** The same instants in the window's zone, e.g. `2026-03-29T01:00:00+01:00`. */
  startLocal: string;
  endLocal: string;
  /** Where the window is defined in the policy, e.g. `windows[0]`. */
  source: string;
}

/** One occurrence of a blackout, as a calendar shows it. */
export interface BlackoutOccurrence {
  kind: 'blackout';
  name: string;
  type: BlackoutPolicy['type'];
  message: string;
  blockedClasses: ChangeClass[];
  /** Roles that may sign an override, or null when the blackout cannot be overridden. */
  overrideRoles: string[] | null;
  timeZone: string;
  start: string;
  end: string;
  startLocal: string;
  endLocal: string;
  source: string;
}

/** A line's windows and blackouts within a range, each sorted by start. */
export interface LineCalendar {
  line: LineFact;
  windows: WindowOccurrence[];
  blackouts: BlackoutOccurrence[];
}

/** Something that keeps a change from starting in a slot: no window, or a blackout. */
export type SlotProblem =
  | { rule: 'outside-window'; lines: string[]; message: string; overrideRoles: string[] | null }
  | { rule: 'blackout'; blackout: string; lines: string[]; message: string; overrideRoles: string[] | null };

function scopeCovers(scope: { lines?: string[] | undefined; tiers?: number[] | undefined }, line: LineFact): boolean {
  if (scope.lines === undefined && scope.tiers === undefined) return true;
  return (scope.lines?.includes(line.id) ?? false) || (scope.tiers?.includes(line.tier) ?? false);
}

/** Sorted, with overlapping and touching intervals joined. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && i.start <= last.end) last.end = Math.max(last.end, i.end);
    else out.push({ ...i });
  }
  return out;
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const start = Math.max(x.start, y.start),
        end = Math.min(x.end, y.end);
      if (end > start) out.push({ start, end });
    }
  }
  return mergeIntervals(out);
}

function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  let rest = mergeIntervals(a);
  for (const y of mergeIntervals(b)) {
    const next: Interval[] = [];
    for (const x of rest) {
      if (y.end <= x.start || y.start >= x.end) {
        next.push(x);
        continue;
      }
      if (y.start > x.start) next.push({ start: x.start, end: y.start });
      if (y.end < x.end) next.push({ start: y.end, end: x.end });
    }
    rest = next;
  }
  return rest;
}

function timeParts(hhmm: string): { hour: number; minute: number } {
  return { hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3, 5)) };
}

function zoneOf(policy: Policy, own: string | undefined): string {
  return own ?? policy.plant.timeZone;
}

/** The intervals of one window that overlap [from, to). */
function windowIntervals(policy: Policy, w: ChangeWindowPolicy, from: number, to: number): Interval[] {
  const zone = zoneOf(policy, w.timeZone);
  if (w.type !== 'weekly') {
    const s = parseDateTimeText(w.start),
      e = parseDateTimeText(w.end);
    if (s === null || e === null) return [];
    const i = { start: resolveDateTimeText(s, zone, 'start'), end: resolveDateTimeText(e, zone, 'end') };
    return i.end > from && i.start < to ? [i] : [];
  }
  const out: Interval[] = [];
  const first = instantToLocal(from, zone);
  const days = Math.ceil((to - from) / DAY_MS) + 4;
  for (let d = -2; d < days; d++) {
    const date = addDays(first, d);
    const weekday = WEEKDAYS[date.weekday];
    for (const p of w.periods) {
      if (weekday === undefined || !p.days.includes(weekday)) continue;
      const start = timeParts(p.start);
      const endsNextDay = p.end === '24:00' || p.end <= p.start;
      const endDate = endsNextDay ? addDays(date, 1) : date;
      const end = p.end === '24:00' ? { hour: 0, minute: 0 } : timeParts(p.end);
      const i = {
        start: localToInstant({ year: date.year, month: date.month, day: date.day, ...start }, zone),
        end: localToInstant({ year: endDate.year, month: endDate.month, day: endDate.day, ...end }, zone),
      };
      if (i.end > from && i.start < to) out.push(i);
    }
  }
  return mergeIntervals(out);
}

/** The intervals of one blackout that overlap [from, to). */
function blackoutIntervals(policy: Policy, b: BlackoutPolicy, from: number, to: number): Interval[] {
  const zone = zoneOf(policy, b.timeZone);
  if (b.type === 'one-off') {
    const s = parseDateTimeText(b.start),
      e = parseDateTimeText(b.end);
    if (s === null || e === null) return [];
    const i = { start: resolveDateTimeText(s, zone, 'start'), end: resolveDateTimeText(e, zone, 'end') };
    return i.end > from && i.start < to ? [i] : [];
  }
  const [sm, sd] = b.start.split('-').map(Number) as [number, number];
  const [em, ed] = b.end.split('-').map(Number) as [number, number];
  const wraps = em * 100 + ed < sm * 100 + sd;
  const out: Interval[] = [];
  for (let year = instantToLocal(from, zone).year - 1; year <= instantToLocal(to, zone).year + 1; year++) {
    const endDay = addDays({ year: wraps ? year + 1 : year, month: em, day: ed }, 1);
    const i = {
      start: localToInstant({ year, month: sm, day: sd, hour: 0, minute: 0 }, zone),
      end: localToInstant({ year: endDay.year, month: endDay.month, day: endDay.day, hour: 0, minute: 0 }, zone),
    };
    if (i.end > from && i.start < to) out.push(i);
  }
  return out;
}

function toWindowOccurrence(policy: Policy, w: ChangeWindowPolicy, index: number, i: Interval): WindowOccurrence {
  const zone = zoneOf(policy, w.timeZone);
  return {
    kind: 'window',
    name: w.name,
    type: w.type,
    description: w.description ?? '',
    classes: [...w.classes],
    timeZone: zone,
    start: new Date(i.start).toISOString(),
    end: new Date(i.end).toISOString(),
    startLocal: formatLocalIso(i.start, zone),
    endLocal: formatLocalIso(i.end, zone),
    source: `windows[${index}]`,
  };
}

function toBlackoutOccurrence(policy: Policy, b: BlackoutPolicy, index: number, i: Interval): BlackoutOccurrence {
  const zone = zoneOf(policy, b.timeZone);
  return {
    kind: 'blackout',
    name: b.name,
    type: b.type,
    message: b.message,
    blockedClasses: [...b.blockedClasses],
    overrideRoles: b.override === undefined ? null : [...b.override.approverRoles],
    timeZone: zone,
    start: new Date(i.start).toISOString(),
    end: new Date(i.end).toISOString(),
    startLocal: formatLocalIso(i.start, zone),
    endLocal: formatLocalIso(i.end, zone),
    source: `blackouts[${index}]`,
  };
}

function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) {
    throw new BaselineError(
      'calendar-range-invalid',
      'The calendar range is empty or not a pair of valid dates.',
      'Give a start before the end.',
    );
  }
  if (to - from > MAX_CALENDAR_DAYS * DAY_MS) {
    throw new BaselineError(
      'calendar-range-too-long',
      `The calendar range is longer than ${MAX_CALENDAR_DAYS} days.`,
      'Ask for a shorter range (a month or a quarter at a time).',
    );
  }
}

/** The windows and blackouts of each line within [from, to) (a range of at most MAX_CALENDAR_DAYS). */
export function listCalendar(policy: Policy, lines: readonly LineFact[], range: { from: Date; to: Date }): LineCalendar[] {
  const from = range.from.getTime(),
    to = range.to.getTime();
  checkRange(from, to);
  const windows = policy.windows.map((w, index) => ({ w, index, intervals: windowIntervals(policy, w, from, to) }));
  const blackouts = policy.blackouts.map((b, index) => ({ b, index, intervals: blackoutIntervals(policy, b, from, to) }));
  return lines.map((line) => ({
    line,
    windows: windows
      .filter(({ w }) => scopeCovers(w, line))
      .flatMap(({ w, index, intervals }) => intervals.map((i) => toWindowOccurrence(policy, w, index, i)))
      .sort((a, b) => a.start.localeCompare(b.start) || a.name.localeCompare(b.name)),
    blackouts: blackouts
      .filter(({ b }) => scopeCovers(b, line))
      .flatMap(({ b, index, intervals }) => intervals.map((i) => toBlackoutOccurrence(policy, b, index, i)))
      .sort((a, b) => a.start.localeCompare(b.start) || a.name.localeCompare(b.name)),
  }));
}

/** The windows open for a class on a line at an instant (empty when none is). */
export function windowsAt(policy: Policy, line: LineFact, cls: ChangeClass, at: Date): WindowOccurrence[] {
  const t = at.getTime();
  return policy.windows.flatMap((w, index) =>
    w.classes.includes(cls) && scopeCovers(w, line)
      ? windowIntervals(policy, w, t, t + 1).map((i) => toWindowOccurrence(policy, w, index, i))
      : [],
  );
}

/** The blackouts that block a class on a line at an instant (empty when none does). */
export function blackoutsAt(policy: Policy, line: LineFact, cls: ChangeClass, at: Date): BlackoutOccurrence[] {
  const t = at.getTime();
  return policy.blackouts.flatMap((b, index) =>
    b.blockedClasses.includes(cls) && scopeCovers(b, line)
      ? blackoutIntervals(policy, b, t, t + 1).map((i) => toBlackoutOccurrence(policy, b, index, i))
      : [],
  );
}

/** Whether an instant is inside a window open to the class on that line. */
export function isInsideWindow(policy: Policy, line: LineFact, cls: ChangeClass, at: Date): boolean {
  return windowsAt(policy, line, cls, at).length > 0;
}

/** The union of a line's windows for a class over [from, to). */
function openIntervals(policy: Policy, line: LineFact, cls: ChangeClass, from: number, to: number): Interval[] {
  return mergeIntervals(
    policy.windows.flatMap((w) => (w.classes.includes(cls) && scopeCovers(w, line) ? windowIntervals(policy, w, from, to) : [])),
  );
}

function describeSpan(from: number, to: number, zone: string): string {
  return to <= from ? formatLocal(from, zone) : `${formatLocal(from, zone)} to ${formatLocal(to, zone)}`;
}

function linesText(ids: readonly string[]): string {
  return ids.length === 1 ? `line ${ids[0] ?? ''}` : `lines ${ids.join(', ')}`;
}

/**
 * What keeps a change of a class on these lines from running in [start, end) (end = start for one instant):
 * a line with no window covering the whole slot (when the class requires windows), and every blackout
 * blocking the class that overlaps the slot. Empty when the slot is allowed.
 */
export function slotProblems(
  policy: Policy,
  lines: readonly LineFact[],
  cls: ChangeClass,
  slot: { start: Date; end: Date },
): SlotProblem[] {
  const start = slot.start.getTime();
  const end = Math.max(slot.end.getTime(), start);
  const probeEnd = end === start ? start + 1 : end;
  const zone = policy.plant.timeZone;
  const problems: SlotProblem[] = [];
  if (policy.classes[cls].requiresWindow) {
    const uncovered = lines.filter(
      (line) => !openIntervals(policy, line, cls, start, probeEnd).some((i) => i.start <= start && i.end >= probeEnd),
    );
    if (uncovered.length > 0) {
      const ids = uncovered.map((l) => l.id);
      problems.push({
        rule: 'outside-window',
        lines: ids,
        overrideRoles: policy.outsideWindowOverride?.approverRoles ?? null,
        message: `${describeSpan(start, end, zone)} is not inside a change window for ${cls} changes on ${linesText(ids)} (${policyCitation('windows')})`,
      });
    }
  }
  policy.blackouts.forEach((b, index) => {
    if (!b.blockedClasses.includes(cls)) return;
    const hit = lines.filter((line) => scopeCovers(b, line) && blackoutIntervals(policy, b, start, probeEnd).length > 0);
    if (hit.length === 0) return;
    const ids = hit.map((l) => l.id);
    const i = blackoutIntervals(policy, b, start, probeEnd)[0];
    const when = i === undefined ? '' : ` (${describeSpan(i.start, i.end, zoneOf(policy, b.timeZone))})`;
    problems.push({
      rule: 'blackout',
      blackout: b.name,
      lines: ids,
      overrideRoles: b.override?.approverRoles ?? null,
      message: `blackout "${b.name}"${when} blocks ${cls} changes on ${linesText(ids)}: ${b.message} (${policyCitation(`blackouts[${index}]`)})`,
    });
  });
  return problems;
}

/**
 * The first instant at or after `from` when a change of the class may start on ALL these lines without an
 * override (inside a window where the class needs one, outside every blocking blackout) and run on for at least
 * `minutes` (0: any instant will do), searching `horizonDays` ahead; null when there is none in that time.
 */
export function nextAllowedStart(
  policy: Policy,
  lines: readonly LineFact[],
  cls: ChangeClass,
  from: Date,
  horizonDays = 62,
  minutes = 0,
): Date | null {
  const start = from.getTime();
  const end = start + Math.min(horizonDays, MAX_CALENDAR_DAYS) * DAY_MS;
  let allowed: Interval[] = [{ start, end }];
  for (const line of lines) {
    const open = policy.classes[cls].requiresWindow ? openIntervals(policy, line, cls, start, end) : [{ start, end }];
    const blocked = policy.blackouts
      .filter((b) => b.blockedClasses.includes(cls) && scopeCovers(b, line))
      .flatMap((b) => blackoutIntervals(policy, b, start, end));
    allowed = intersect(allowed, subtract(open, blocked));
  }
  const first = allowed.find((i) => i.end > start && i.end - Math.max(i.start, start) >= minutes * 60_000);
  return first === undefined ? null : new Date(Math.max(first.start, start));
}

/** Refuses a time zone name that is not a real IANA zone, naming it (for callers outside a validated policy). */
export function assertTimeZone(name: string): void {
  const problem = timeZoneProblem(name);
  if (problem !== null)
    throw new BaselineError(
      'time-zone-unknown',
      `${problem}.`,
      "Use the IANA name of the plant's zone, as listed in the tz database (e.g. America/Chicago).",
      { timeZone: name },
    );
}
