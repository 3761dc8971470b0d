import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import {
  assertTimeZone,
  blackoutsAt,
  isInsideWindow,
  listCalendar,
  mergeIntervals,
  nextAllowedStart,
  slotProblems,
  windowsAt,
} from '../../../src-shared/common/workflow/change-windows.ts';
import { loadPolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';
import type { LineFact } from '../../../src-shared/common/workflow/workflow-terms.ts';
import { defaultPolicy, line, minimalPolicy } from './packaging-plant.ts';

const H = 3_600_000;
const at = (iso: string): Date => new Date(iso);
const L1: LineFact = { id: 'A1', tier: 1 };
const minimalText = readFileSync(new URL('../../fixtures/policy/minimal.yaml', import.meta.url), 'utf8');

/** The minimal policy with more windows and blackouts appended (YAML list items, indented two spaces). */
function withCalendar(windows: string, blackouts = ''): ReturnType<typeof minimalPolicy> {
  const text = minimalText
    .replace('outsideWindowOverride:', `${windows}outsideWindowOverride:`)
    .replace('blackouts: []', blackouts === '' ? 'blackouts: []' : `blackouts:\n${blackouts}`);
  return loadPolicyYaml(text, 'test.yaml');
}

function sundayNight(policy: ReturnType<typeof minimalPolicy>, fromIso: string, toIso: string) {
  const [cal] = listCalendar(policy, [L1], { from: at(fromIso), to: at(toIso) });
  return (cal?.windows ?? []).map((w) => ({
    start: w.start,
    end: w.end,
    startLocal: w.startLocal,
    endLocal: w.endLocal,
    hours: (Date.parse(w.end) - Date.parse(w.start)) / H,
  }));
}

describe('weekly windows across daylight-saving changes (Sunday 01:00-05:00 Europe/Berlin)', () => {
  const policy = minimalPolicy();

  it('lasts 4 real hours on an ordinary Sunday', () => {
    expect(sundayNight(policy, '2026-03-20T00:00:00Z', '2026-03-23T00:00:00Z')).toEqual([
      {
        start: '2026-03-22T00:00:00.000Z',
        end: '2026-03-22T04:00:00.000Z',
        startLocal: '2026-03-22T01:00:00+01:00',
        endLocal: '2026-03-22T05:00:00+01:00',
        hours: 4,
      },
    ]);
  });

  it('lasts 3 real hours on the night clocks go forward (29 March 2026)', () => {
    expect(sundayNight(policy, '2026-03-28T00:00:00Z', '2026-03-30T00:00:00Z')).toEqual([
      {
        start: '2026-03-29T00:00:00.000Z',
        end: '2026-03-29T03:00:00.000Z',
        startLocal: '2026-03-29T01:00:00+01:00',
        endLocal: '2026-03-29T05:00:00+02:00',
        hours: 3,
      },
    ]);
  });

  it('lasts 5 real hours on the night clocks go back (25 October 2026)', () => {
    expect(sundayNight(policy, '2026-10-24T00:00:00Z', '2026-10-26T00:00:00Z')).toEqual([
      {
        start: '2026-10-24T23:00:00.000Z',
        end: '2026-10-25T04:00:00.000Z',
        startLocal: '2026-10-25T01:00:00+02:00',
        endLocal: '2026-10-25T05:00:00+01:00',
        hours: 5,
      },
    ]);
  });

  it.each([
    ['2026-03-28T23:59:59Z', false], // 00:59:59 CET
    ['2026-03-29T00:00:00Z', true], // 01:00 CET
    ['2026-03-29T01:30:00Z', true], // 03:30 CEST: after the skipped hour
    ['2026-03-29T02:59:59Z', true], // 04:59:59 CEST
    ['2026-03-29T03:00:00Z', false], // 05:00 CEST
    ['2026-10-24T22:59:59Z', false], // 00:59:59 CEST
    ['2026-10-24T23:00:00Z', true], // 01:00 CEST
    ['2026-10-25T00:30:00Z', true], // 02:30 CEST, the first time
    ['2026-10-25T01:30:00Z', true], // 02:30 CET, the second time
    ['2026-10-25T03:59:59Z', true], // 04:59:59 CET
    ['2026-10-25T04:00:00Z', false], // 05:00 CET
  ])('%s inside: %s', (iso, inside) => {
    expect(isInsideWindow(policy, L1, 'normal', at(iso))).toBe(inside);
  });

  it('is open only to the classes it lists', () => {
    expect(isInsideWindow(policy, L1, 'normal', at('2026-03-22T01:00:00Z'))).toBe(true);
    expect(isInsideWindow(policy, L1, 'emergency', at('2026-03-22T01:00:00Z'))).toBe(false);
    expect(windowsAt(policy, L1, 'normal', at('2026-03-22T01:00:00Z'))).toEqual([
      expect.objectContaining({ name: 'sunday-night', source: 'windows[0]', timeZone: 'Europe/Berlin' }),
    ]);
  });

  it('handles the spring-forward night in Chicago for the default night window (Saturday 22:00 CST to Sunday 06:00 CDT = 7 h)', () => {
    const [cal] = listCalendar(defaultPolicy(), [line('L05')], { from: at('2026-03-08T00:00:00Z'), to: at('2026-03-08T12:00:00Z') });
    const night = cal?.windows.find((w) => w.name === 'night-maintenance');
    expect(night).toMatchObject({
      start: '2026-03-08T04:00:00.000Z',
      end: '2026-03-08T11:00:00.000Z',
      startLocal: '2026-03-07T22:00:00-06:00',
      endLocal: '2026-03-08T06:00:00-05:00',
    });
  });
});

describe('calendar per line', () => {
  const policy = defaultPolicy();

  it('lists a week of windows for a tier-1 and a tier-3 line', () => {
    const cal = listCalendar(policy, [line('L01'), line('L20')], { from: at('2026-06-01T05:00:00Z'), to: at('2026-06-08T05:00:00Z') });
    const l01 = cal[0],
      l20 = cal[1];
    expect(l01?.line.id).toBe('L01');
    // Monday 00:00 to the next Monday 00:00 CDT: six nights (Monday to Saturday) and Sunday.
    expect(l01?.windows.map((w) => `${w.name} ${w.startLocal} ${w.endLocal}`)).toEqual([
      'night-maintenance 2026-06-01T22:00:00-05:00 2026-06-02T06:00:00-05:00',
      'night-maintenance 2026-06-02T22:00:00-05:00 2026-06-03T06:00:00-05:00',
      'night-maintenance 2026-06-03T22:00:00-05:00 2026-06-04T06:00:00-05:00',
      'night-maintenance 2026-06-04T22:00:00-05:00 2026-06-05T06:00:00-05:00',
      'night-maintenance 2026-06-05T22:00:00-05:00 2026-06-06T06:00:00-05:00',
      'night-maintenance 2026-06-06T22:00:00-05:00 2026-06-07T06:00:00-05:00',
      'sunday-shutdown 2026-06-07T00:00:00-05:00 2026-06-08T00:00:00-05:00',
    ]);
    expect(
      l01?.windows.every(
        (w) => Date.parse(w.end) > Date.parse('2026-06-01T05:00:00Z') && Date.parse(w.start) < Date.parse('2026-06-08T05:00:00Z'),
      ),
    ).toBe(true);
    expect(l20?.windows.filter((w) => w.name === 'tier-3-same-shift')).toHaveLength(1); // seven whole days joined into one
    expect(l20?.windows.find((w) => w.name === 'tier-3-same-shift')).toMatchObject({
      classes: ['standard', 'normal'],
      source: 'windows[2]',
    });
    expect(l01?.windows.some((w) => w.name === 'tier-3-same-shift')).toBe(false);
    expect(l01?.blackouts).toEqual([]);
  });

  it('shows the yearly year-end freeze across the new year, in plant time', () => {
    const [cal] = listCalendar(policy, [line('L05')], { from: at('2026-12-01T00:00:00Z'), to: at('2027-02-01T00:00:00Z') });
    expect(
      cal?.blackouts.map((b) => ({
        name: b.name,
        startLocal: b.startLocal,
        endLocal: b.endLocal,
        overrideRoles: b.overrideRoles,
        blocked: b.blockedClasses,
      })),
    ).toEqual([
      {
        name: 'year-end-freeze',
        startLocal: '2026-12-15T00:00:00-06:00',
        endLocal: '2027-01-06T00:00:00-06:00',
        overrideRoles: null,
        blocked: ['standard', 'normal'],
      },
    ]);
  });

  it("shows last year's freeze when the range starts in January", () => {
    const [cal] = listCalendar(policy, [line('L05')], { from: at('2026-01-02T00:00:00Z'), to: at('2026-01-10T00:00:00Z') });
    expect(cal?.blackouts.map((b) => [b.startLocal, b.endLocal])).toEqual([['2025-12-15T00:00:00-06:00', '2026-01-06T00:00:00-06:00']]);
  });

  it('lists one-off windows, turnarounds and line-scoped blackouts', () => {
    const p = withCalendar(
      '  - name: turnaround-2026\n    type: turnaround\n    start: 2026-04-01\n    end: 2026-04-21\n    classes: [normal, safety-critical]\n' +
        '  - name: one-night\n    type: one-off\n    start: 2026-04-25T22:00\n    end: 2026-04-26T04:00\n    lines: [A2]\n    classes: [normal]\n',
      '  - name: audit-week\n    type: one-off\n    start: 2026-04-13\n    end: 2026-04-17\n    tiers: [1]\n    blockedClasses: [standard, normal]\n    message: Regulatory audit\n    override: { approverRoles: [plant-manager] }\n',
    );
    const cal = listCalendar(p, [L1, { id: 'A2', tier: 2 }], { from: at('2026-04-01T00:00:00Z'), to: at('2026-05-01T00:00:00Z') });
    const names = (i: number): string[] => (cal[i]?.windows ?? []).map((w) => w.name);
    expect(names(0)).toEqual(['turnaround-2026', 'sunday-night', 'sunday-night', 'sunday-night', 'sunday-night']);
    expect(cal[0]?.windows[0]).toMatchObject({
      type: 'turnaround',
      startLocal: '2026-04-01T00:00:00+02:00',
      endLocal: '2026-04-22T00:00:00+02:00',
    });
    expect(names(1)).toContain('one-night');
    expect(names(0)).not.toContain('one-night');
    expect(cal[0]?.blackouts.map((b) => [b.name, b.startLocal, b.endLocal, b.overrideRoles])).toEqual([
      ['audit-week', '2026-04-13T00:00:00+02:00', '2026-04-18T00:00:00+02:00', ['plant-manager']],
    ]);
    expect(cal[1]?.blackouts).toEqual([]);
  });

  it('refuses ranges that are empty or longer than 400 days', () => {
    expect(() => listCalendar(policy, [line('L01')], { from: at('2026-01-01T00:00:00Z'), to: at('2027-02-06T00:00:00Z') })).toThrow(
      /longer than 400 days/,
    );
    expect(() => listCalendar(policy, [line('L01')], { from: at('2026-01-02T00:00:00Z'), to: at('2026-01-01T00:00:00Z') })).toThrow(
      BaselineError,
    );
  });
});

describe('blackouts and slots', () => {
  const policy = defaultPolicy();

  it('the year-end freeze blocks standard and normal changes, not emergencies or safety-critical ones', () => {
    const t = at('2026-12-20T18:00:00Z');
    expect(blackoutsAt(policy, line('L05'), 'normal', t).map((b) => b.name)).toEqual(['year-end-freeze']);
    expect(blackoutsAt(policy, line('L05'), 'standard', t)).toHaveLength(1);
    expect(blackoutsAt(policy, line('L05'), 'emergency', t)).toEqual([]);
    expect(blackoutsAt(policy, line('L05'), 'safety-critical', t)).toEqual([]);
    expect(blackoutsAt(policy, line('L05'), 'normal', at('2027-01-06T06:00:00Z'))).toEqual([]); // 00:00 CST on 6 January: over
    expect(blackoutsAt(policy, line('L05'), 'normal', at('2027-01-06T05:59:59Z'))).toHaveLength(1);
  });

  it('names what blocks a slot and who may override it', () => {
    // Wednesday 10:00-11:00 CDT: production time.
    expect(
      slotProblems(policy, [line('L05'), line('L20')], 'normal', { start: at('2026-06-03T15:00:00Z'), end: at('2026-06-03T16:00:00Z') }),
    ).toEqual([
      {
        rule: 'outside-window',
        lines: ['L05'],
        overrideRoles: ['plant-manager'],
        message:
          'Wed 3 Jun 2026 10:00 CDT to Wed 3 Jun 2026 11:00 CDT is not inside a change window for normal changes on line L05 (policy: change windows)',
      },
    ]);
    // Sunday 20 December: inside a window but inside the freeze.
    expect(slotProblems(policy, [line('L05')], 'normal', { start: at('2026-12-20T15:00:00Z'), end: at('2026-12-20T16:00:00Z') })).toEqual([
      {
        rule: 'blackout',
        blackout: 'year-end-freeze',
        lines: ['L05'],
        overrideRoles: null,
        message:
          'blackout "year-end-freeze" (Tue 15 Dec 2026 00:00 CST to Wed 6 Jan 2027 00:00 CST) blocks normal changes on line L05: Year-end production freeze in effect. (policy: blackout 1)',
      },
    ]);
  });

  it('needs the whole slot inside windows, joining adjacent ones (Saturday night runs into Sunday)', () => {
    const sat = { start: at('2026-06-07T04:00:00Z'), end: at('2026-06-07T14:00:00Z') }; // Sat 23:00 CDT to Sun 09:00 CDT
    expect(slotProblems(policy, [line('L05')], 'normal', sat)).toEqual([]);
    const late = { start: at('2026-06-08T04:00:00Z'), end: at('2026-06-08T12:00:00Z') }; // Sun 23:00 to Mon 07:00 CDT: Monday 06:00 ends it
    expect(slotProblems(policy, [line('L05')], 'normal', late).map((p) => p.rule)).toEqual(['outside-window']);
  });

  it('lets emergencies start outside windows', () => {
    expect(
      slotProblems(policy, [line('L05')], 'emergency', { start: at('2026-06-03T15:00:00Z'), end: at('2026-06-03T15:00:00Z') }),
    ).toEqual([]);
  });

  it('finds the first allowed start after a freeze', () => {
    expect(nextAllowedStart(policy, [line('L05')], 'normal', at('2026-12-20T18:00:00Z'))?.toISOString()).toBe('2027-01-06T06:00:00.000Z');
    expect(nextAllowedStart(policy, [line('L05')], 'emergency', at('2026-12-20T18:00:00Z'))?.toISOString()).toBe(
      '2026-12-20T18:00:00.000Z',
    );
    // Lines of two tiers: the start must suit both (tier 3 is always open, tier 2 waits for the night).
    expect(nextAllowedStart(policy, [line('L20'), line('L05')], 'normal', at('2026-06-03T15:00:00Z'))?.toISOString()).toBe(
      '2026-06-04T03:00:00.000Z',
    );
  });

  it('returns null when no window opens within the horizon', () => {
    const p = withCalendar(
      '',
      '  - name: standdown\n    type: one-off\n    start: 2026-01-01\n    end: 2026-12-31\n    blockedClasses: [standard, normal, emergency, safety-critical]\n    message: Safety standdown\n',
    );
    expect(nextAllowedStart(p, [L1], 'normal', at('2026-06-01T00:00:00Z'))).toBeNull();
    expect(nextAllowedStart(p, [L1], 'emergency', at('2026-06-01T00:00:00Z'))).toBeNull();
  });
});

describe('time zones and intervals', () => {
  it('refuses a zone that does not exist, by name', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(/"Mars\/Olympus" is not an IANA time zone name/);
    expect(() => assertTimeZone('EST')).toThrow(BaselineError);
    expect(() => assertTimeZone('Europe/Berlin')).not.toThrow();
  });

  it('merges overlapping and touching intervals', () => {
    expect(
      mergeIntervals([
        { start: 5, end: 7 },
        { start: 1, end: 3 },
        { start: 3, end: 4 },
        { start: 6, end: 9 },
        { start: 10, end: 10 },
      ]),
    ).toEqual([
      { start: 1, end: 4 },
      { start: 5, end: 9 },
    ]);
  });
});
