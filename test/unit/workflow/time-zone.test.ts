import { describe, expect, it } from 'vitest';
import { formatMinutes, parseDuration } from '../../../src-shared/common/workflow/duration.ts';
import {
  formatLocal,
  isCalendarDate,
  localToInstant,
  parseDateTimeText,
  resolveDateTimeText,
  timeZoneProblem,
  zoneAbbreviation,
} from '../../../src-shared/common/workflow/time-zone.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('wall-clock times in a zone (RFC 5545 rules)', () => {
  it.each([
    ['Europe/Berlin', { year: 2026, month: 1, day: 15, hour: 12, minute: 0 }, '2026-01-15T11:00:00.000Z'],
    ['Europe/Berlin', { year: 2026, month: 7, day: 15, hour: 12, minute: 0 }, '2026-07-15T10:00:00.000Z'],
    // Skipped by the spring change: read with the offset before the gap (02:30 CET = 03:30 CEST).
    ['Europe/Berlin', { year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, '2026-03-29T01:30:00.000Z'],
    // Repeated by the autumn change: the first occurrence (02:30 CEST).
    ['Europe/Berlin', { year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, '2026-10-25T00:30:00.000Z'],
    ['America/Chicago', { year: 2026, month: 3, day: 8, hour: 2, minute: 30 }, '2026-03-08T08:30:00.000Z'],
    ['America/Chicago', { year: 2026, month: 11, day: 1, hour: 1, minute: 30 }, '2026-11-01T06:30:00.000Z'],
    ['Australia/Sydney', { year: 2026, month: 4, day: 5, hour: 2, minute: 30 }, '2026-04-04T15:30:00.000Z'], // repeated: AEDT first
    ['UTC', { year: 2026, month: 6, day: 1, hour: 0, minute: 0 }, '2026-06-01T00:00:00.000Z'],
  ])('%s %o', (zone, local, expected) => {
    expect(iso(localToInstant(local, zone))).toBe(expected);
  });

  it('formats plant time for people with the abbreviation in force at that instant, as the screens do', () => {
    // Summer and winter in the plant's zone: CDT (UTC-5) then CST (UTC-6).
    expect(formatLocal(Date.parse('2026-06-03T15:00:00Z'), 'America/Chicago')).toBe('Wed 3 Jun 2026 10:00 CDT');
    expect(formatLocal(Date.parse('2026-12-15T06:00:00Z'), 'America/Chicago')).toBe('Tue 15 Dec 2026 00:00 CST');
    // Either side of the autumn change: 01:30 happens twice, once in each.
    expect(formatLocal(Date.parse('2026-11-01T06:30:00Z'), 'America/Chicago')).toBe('Sun 1 Nov 2026 01:30 CDT');
    expect(formatLocal(Date.parse('2026-11-01T07:30:00Z'), 'America/Chicago')).toBe('Sun 1 Nov 2026 01:30 CST');
    // Where English has no abbreviation, the offset stands in (as on screen): never the IANA name.
    expect(formatLocal(Date.parse('2026-03-29T00:00:00Z'), 'Europe/Berlin')).toBe('Sun 29 Mar 2026 01:00 GMT+1');
    expect(formatLocal(Date.parse('2026-07-15T10:00:00Z'), 'Europe/Berlin')).toBe('Wed 15 Jul 2026 12:00 GMT+2');
    expect(formatLocal(Date.parse('2026-07-15T10:00:00Z'), 'UTC')).toBe('Wed 15 Jul 2026 10:00 UTC');
  });

  it('names the abbreviation valid at an instant', () => {
    expect(zoneAbbreviation(Date.parse('2026-07-01T12:00:00Z'), 'America/Chicago')).toBe('CDT');
    expect(zoneAbbreviation(Date.parse('2026-01-15T12:00:00Z'), 'America/Chicago')).toBe('CST');
    expect(zoneAbbreviation(Date.parse('2026-03-08T07:59:00Z'), 'America/Chicago')).toBe('CST'); // 01:59, before clocks go forward
    expect(zoneAbbreviation(Date.parse('2026-03-08T08:00:00Z'), 'America/Chicago')).toBe('CDT'); // 03:00, after
  });
});

describe('time zone names', () => {
  it.each(['Europe/Berlin', 'America/Chicago', 'America/Argentina/Buenos_Aires', 'UTC', 'Etc/GMT+5'])('accepts %s', (name) => {
    expect(timeZoneProblem(name)).toBeNull();
  });

  it.each([
    ['Mars/Olympus', /not an IANA time zone name/],
    ['Europe/Berlinn', /not an IANA time zone name/],
    ['EST', /not an IANA time zone name/],
    ['', /not an IANA time zone name/],
    ['+02:00', /fixed UTC offset, not a time zone/],
    ['-0500', /fixed UTC offset/],
  ])('refuses %j', (name, message) => {
    expect(timeZoneProblem(name)).toMatch(message);
  });
});

describe('policy dates', () => {
  it('reads dates, plant-time date-times and instants', () => {
    expect(parseDateTimeText('2026-04-01')).toEqual({
      kind: 'local',
      local: { year: 2026, month: 4, day: 1, hour: 0, minute: 0 },
      dateOnly: true,
    });
    expect(parseDateTimeText('2026-04-01T06:30')).toEqual({
      kind: 'local',
      local: { year: 2026, month: 4, day: 1, hour: 6, minute: 30 },
      dateOnly: false,
    });
    expect(parseDateTimeText('2026-04-01 06:30')).toMatchObject({ kind: 'local', dateOnly: false });
    expect(parseDateTimeText('2026-04-01T06:30:00Z')).toEqual({ kind: 'absolute', instant: Date.parse('2026-04-01T06:30:00Z') });
    expect(parseDateTimeText('2026-04-01T06:30:00+02:00')).toEqual({ kind: 'absolute', instant: Date.parse('2026-04-01T04:30:00Z') });
  });

  it.each(['2026-02-30', '2026-13-01', '2026-04-01T24:00', '26-04-01', 'tomorrow', '2026-04-01T06:30:15'])('refuses %j', (text) => {
    expect(parseDateTimeText(text)).toBeNull();
  });

  it('a date alone ends at the next midnight', () => {
    const d = parseDateTimeText('2026-12-31');
    if (d === null) throw new Error('unreadable');
    expect(iso(resolveDateTimeText(d, 'UTC', 'start'))).toBe('2026-12-31T00:00:00.000Z');
    expect(iso(resolveDateTimeText(d, 'UTC', 'end'))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('knows which calendar dates exist', () => {
    expect([isCalendarDate(2028, 2, 29), isCalendarDate(2027, 2, 29), isCalendarDate(2026, 4, 31), isCalendarDate(2026, 0, 1)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('durations', () => {
  it.each([
    ['48h', 2880],
    ['15m', 15],
    ['7d', 10080],
    ['1h30m', 90],
    ['1d 12h', 2160],
    ['none', 0],
    ['0', 0],
    ['2H', 120],
  ])('%s is %i minutes', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes);
  });

  it.each(['', '48', '48 hours', 'h', '1.5h', '-1h', '2w'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it.each([
    [0, '0 min'],
    [15, '15 min'],
    [90, '1 h 30 min'],
    [1440, '24 h'],
    [2880, '48 h'],
    [4320, '3 d'],
    [20160, '14 d'],
    [4330, '72 h 10 min'],
  ])('%i minutes read %s', (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });
});
