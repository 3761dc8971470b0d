import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import {
  NO_LINE,
  computeKpis,
  kpiPoint,
  leadTimeTrend,
  median,
  plantMonth,
  type KpiChange,
  type KpiInput,
} from '../../../src-shared/common/kpi/change-kpis.ts';
import { kpiSeriesCsv, registerCsv } from '../../../src-shared/common/kpi/kpi-csv.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import type { ChangeClass } from '../../../src-shared/common/workflow/workflow-terms.ts';

// Plant time: America/Chicago. Clocks went back on Sunday 1 November 2026 at 02:00 CDT (UTC-5 -> UTC-6).
const TZ = 'America/Chicago';
const ERIN = { id: 'E100', name: 'Erin Engineer' };
const PAT = { id: 'M200', name: 'Pat Manager' };

interface Spec {
  id: string;
  cls: ChangeClass;
  targets?: string[];
  created: string;
  submitted?: string;
  approvals?: number;
  started?: string;
  breakGlass?: { dueAt: string; reviewedAt?: string };
  snapshots?: { phase: 'before' | 'after'; controllerId: string }[];
  rollbackAt?: string;
  closedAt?: string;
}

/** A change state as the state machine would leave it, with only what the KPIs read filled in. */
function change(s: Spec, lines: string[] = ['L01'], firstSubmittedAt: string | null = s.submitted ?? null): KpiChange {
  const fields = { title: s.id, class: s.cls, targetControllers: s.targets ?? ['plc-1'] };
  const approval = {
    by: PAT,
    role: 'plant-engineering-manager',
    meaning: 'approved',
    at: s.submitted,
    comment: '',
    conditions: [],
    diffReviewed: true,
  };
  const review = {
    submittedAt: s.submitted ?? s.started,
    evaluation: {},
    approvals: Array.from({ length: s.approvals ?? 0 }, () => approval),
  };
  const common = { id: s.id, requester: ERIN, createdAt: s.created, fields };
  let state: unknown;
  if (!s.started) {
    state = s.submitted ? { ...common, status: 'submitted', review } : { ...common, status: 'draft', review: null };
  } else {
    const retrospective = s.breakGlass
      ? {
          dueAt: s.breakGlass.dueAt,
          requirements: [],
          completedAt: s.breakGlass.reviewedAt ?? null,
          reviews: s.breakGlass.reviewedAt ? [{ ...approval, meaning: 'reviewed', at: s.breakGlass.reviewedAt }] : [],
        }
      : null;
    const execution = {
      startedAt: s.started,
      executor: ERIN,
      witness: null,
      stagingRecord: null,
      overrides: [],
      breakGlass: s.breakGlass
        ? {
            approver: { id: null, name: 'Olga', role: 'on-call-manager' },
            method: 'phone',
            reason: 'line down',
            at: s.started,
            recordedBy: ERIN,
          }
        : null,
      retrospective,
      checkpoints: [],
      snapshots: (s.snapshots ?? []).map((x) => ({
        ...x,
        snapshotSha256: 'a'.repeat(64),
        capturedBy: ERIN.name,
        capturedAt: s.started,
        by: ERIN,
        at: s.started,
        verification: null,
      })),
    };
    const executed = { ...common, review, approvedAt: s.approvals ? s.submitted : null, conditions: [], slot: null, execution };
    const rollback = s.rollbackAt ? { by: ERIN, at: s.rollbackAt, reason: 'setpoint oscillates' } : null;
    if (s.closedAt)
      state = {
        ...executed,
        status: 'closed',
        rollback,
        closure: { by: ERIN, at: s.closedAt, outcome: rollback ? 'rolled-back' : 'completed', comment: '' },
      };
    else if (rollback) state = { ...executed, status: 'rolled-back', rollback };
    else state = { ...executed, status: 'in-execution' };
  }
  return { state: state as ChangeState, firstSubmittedAt, lines };
}

const input = (changes: KpiChange[], now: string, more: Partial<KpiInput> = {}): KpiInput => ({
  changes,
  unauthorized: [],
  driftChecks: [],
  timeZone: TZ,
  now: new Date(now),
  ...more,
});
const both = [
  { phase: 'before' as const, controllerId: 'plc-1' },
  { phase: 'after' as const, controllerId: 'plc-1' },
];

describe('plant-time months and the median', () => {
  it('puts an instant in the plant-local month, across the end of daylight saving', () => {
    // 04:30 UTC on 1 November is 23:30 CDT on 31 October; 05:30 UTC on 1 December is 23:30 CST on 30 November.
    expect(plantMonth('2026-11-01T04:30:00Z', TZ)).toBe('2026-10');
    expect(plantMonth('2026-11-01T05:30:00Z', TZ)).toBe('2026-11'); // 00:30 CDT on 1 November
    expect(plantMonth('2026-12-01T05:30:00Z', TZ)).toBe('2026-11');
    expect(plantMonth('2026-12-01T06:00:00Z', TZ)).toBe('2026-12');
  });

  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 4])).toBe(4);
    expect(median([4, 1, 9, 2])).toBe(3);
  });
});

describe('KPIs on no changes', () => {
  it('gives the current month with empty rates, no lead time and zero counts', () => {
    const r = computeKpis(input([], '2026-11-15T12:00:00Z'));
    expect(r.months).toEqual(['2026-11']);
    expect(r.lines).toEqual([]);
    expect(kpiPoint(r, 'documented-approver', '2026-11', null)).toMatchObject({ numerator: 0, denominator: 0, value: null, ids: [] });
    expect(kpiPoint(r, 'rollback', null, null)?.value).toBeNull();
    expect(kpiPoint(r, 'lead-time', '2026-11', null, 'normal')?.value).toBeNull();
    expect(kpiPoint(r, 'overdue-retrospective', '2026-11', null)?.value).toBe(0);
    expect(kpiPoint(r, 'unauthorized-drift', '2026-11', null)).toMatchObject({ value: 0, denominator: 0 });
  });
});

describe('KPIs on a hand-built history of three months (September to November 2026)', () => {
  const history = [
    // A: normal on L01, submitted 1 Sep 15:00Z, started 4 Sep 15:00Z (3.0 days), completed with before and after: counts everywhere.
    change({
      id: 'A',
      cls: 'normal',
      created: '2026-09-01T14:00:00Z',
      submitted: '2026-09-01T15:00:00Z',
      approvals: 2,
      started: '2026-09-04T15:00:00Z',
      snapshots: both,
      closedAt: '2026-09-04T18:00:00Z',
    }),
    // B: normal on L01 and L02, lead 5.0 days, completed without an after-snapshot, started in September, closed in October.
    change(
      {
        id: 'B',
        cls: 'normal',
        created: '2026-09-10T12:00:00Z',
        submitted: '2026-09-20T12:00:00Z',
        approvals: 1,
        started: '2026-09-25T12:00:00Z',
        snapshots: [both[0]!],
        closedAt: '2026-10-02T12:00:00Z',
      },
      ['L01', 'L02'],
    ),
    // C: emergency on L02 under break-glass from a draft (lead 0), review due 24 h later, done late; rolled back and closed in October.
    change(
      {
        id: 'C',
        cls: 'emergency',
        created: '2026-10-05T08:00:00Z',
        started: '2026-10-05T09:00:00Z',
        breakGlass: { dueAt: '2026-10-06T09:00:00Z', reviewedAt: '2026-10-07T09:00:00Z' },
        snapshots: both,
        rollbackAt: '2026-10-05T11:00:00Z',
        closedAt: '2026-10-05T12:00:00Z',
      },
      ['L02'],
    ),
    // D: emergency on L02 under break-glass, review never done (overdue now), still rolled back (not closed); no signed approval.
    change(
      {
        id: 'D',
        cls: 'emergency',
        created: '2026-10-20T08:00:00Z',
        started: '2026-10-20T09:00:00Z',
        breakGlass: { dueAt: '2026-10-21T09:00:00Z' },
        rollbackAt: '2026-10-20T10:00:00Z',
      },
      ['L02'],
    ),
    // E: standard, deferred then resubmitted: its first submit (26 Oct 15:00Z) counts; started 31 Oct 23:30 CDT = 1 Nov 04:30Z: October in plant time.
    change(
      {
        id: 'E',
        cls: 'standard',
        created: '2026-10-26T14:00:00Z',
        submitted: '2026-10-29T15:00:00Z',
        approvals: 1,
        started: '2026-11-01T04:30:00Z',
      },
      ['L01'],
      '2026-10-26T15:00:00Z',
    ),
    // F: normal started in November across the DST change (submitted 31 Oct 17:00Z, started 2 Nov 17:00Z: 48 real hours = 2.0 days), still in execution.
    change(
      {
        id: 'F',
        cls: 'normal',
        created: '2026-10-30T10:00:00Z',
        submitted: '2026-10-31T17:00:00Z',
        approvals: 2,
        started: '2026-11-02T17:00:00Z',
      },
      ['L01'],
    ),
    // G: submitted, never started: in no KPI. H: a draft on no line: in no KPI either.
    change({ id: 'G', cls: 'normal', created: '2026-11-03T10:00:00Z', submitted: '2026-11-03T11:00:00Z' }),
    change({ id: 'H', cls: 'normal', created: '2026-11-04T10:00:00Z' }, []),
  ];
  const drift = {
    unauthorized: [
      { id: 'U1', controllerId: 'plc-1', openedAt: '2026-09-12T10:00:00Z', lines: ['L01'] },
      { id: 'U2', controllerId: 'plc-9', openedAt: '2026-11-01T05:30:00Z', lines: [] }, // 00:30 CDT 1 Nov: November; on no line
    ],
    driftChecks: [
      { at: '2026-09-12T10:00:00Z', lines: ['L01'] },
      { at: '2026-09-19T10:00:00Z', lines: ['L01'] },
      { at: '2026-11-01T05:30:00Z', lines: [] },
    ],
  };
  const r = computeKpis(input(history, '2026-11-15T12:00:00Z', drift));

  it('covers every month from the first record to now, and the lines with records', () => {
    expect(r.months).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(r.lines).toEqual(['L01', 'L02', NO_LINE]);
  });

  it('documented-approver rate: executions started per month with an e-signed approval or retrospective review', () => {
    // September: A, B both approved -> 2/2. October (plant time): C (reviewed late: documented), D (nothing signed), E (approved) -> 2/3.
    // November: F -> 1/1. G never started. Whole period 5/6.
    expect(kpiPoint(r, 'documented-approver', '2026-09', null)).toMatchObject({ numerator: 2, denominator: 2, value: 1, hits: ['A', 'B'] });
    expect(kpiPoint(r, 'documented-approver', '2026-10', null)).toMatchObject({
      numerator: 2,
      denominator: 3,
      ids: ['C', 'D', 'E'],
      hits: ['C', 'E'],
    });
    expect(kpiPoint(r, 'documented-approver', '2026-10', null)?.value).toBeCloseTo(2 / 3);
    expect(kpiPoint(r, 'documented-approver', '2026-11', null)).toMatchObject({ numerator: 1, denominator: 1, ids: ['F'] });
    expect(kpiPoint(r, 'documented-approver', null, null)).toMatchObject({ numerator: 5, denominator: 6 });
    // Per line: L02 in October holds C and D -> 1/2; B counts on both its lines in September.
    expect(kpiPoint(r, 'documented-approver', '2026-10', 'L02')).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    expect(kpiPoint(r, 'documented-approver', '2026-09', 'L02')).toMatchObject({ ids: ['B'], value: 1 });
  });

  it('before/after-signature rate: completed closures per month with both snapshots of every target', () => {
    // September: A (both) -> 1/1. October: B closed completed without its after-snapshot -> 0/1; C was rolled back, not in it.
    expect(kpiPoint(r, 'before-after-signature', '2026-09', null)).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    expect(kpiPoint(r, 'before-after-signature', '2026-10', null)).toMatchObject({ numerator: 0, denominator: 1, value: 0, ids: ['B'] });
    expect(kpiPoint(r, 'before-after-signature', '2026-11', null)).toMatchObject({ denominator: 0, value: null });
  });

  it('lead time by class: median days from first submission to start, per month; trend per month', () => {
    expect(kpiPoint(r, 'lead-time', '2026-09', null, 'normal')).toMatchObject({ value: 4, ids: ['A', 'B'] }); // median of 3 and 5
    expect(kpiPoint(r, 'lead-time', '2026-10', null, 'emergency')).toMatchObject({ value: 0, ids: ['C', 'D'] });
    // E: first submit 26 Oct 15:00Z to 1 Nov 04:30Z = 5 days 13.5 h = 5.5625 days; not from its resubmission.
    expect(kpiPoint(r, 'lead-time', '2026-10', null, 'standard')?.value).toBeCloseTo(5.5625, 6);
    expect(kpiPoint(r, 'lead-time', '2026-11', null, 'normal')?.value).toBeCloseTo(2, 9); // 48 real hours across the clock change
    expect(kpiPoint(r, 'lead-time', null, null, 'normal')).toMatchObject({ value: 3, ids: ['A', 'B', 'F'] }); // median of 3, 5, 2
    // Normal medians: Sep 4, Oct none, Nov 2 -> points (0, 4) and (2, 2): slope -1 day per month.
    expect(leadTimeTrend(r, null, 'normal')).toBeCloseTo(-1, 9);
    expect(leadTimeTrend(r, null, 'standard')).toBeNull();
  });

  it('rollback rate: executions ended per month that were rolled back', () => {
    // September: A completed -> 0/1. October: B completed, C rolled back (11:00Z), D rolled back -> 2/3. November: none ended.
    expect(kpiPoint(r, 'rollback', '2026-09', null)).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
    expect(kpiPoint(r, 'rollback', '2026-10', null)).toMatchObject({ numerator: 2, denominator: 3, hits: ['C', 'D'] });
    expect(kpiPoint(r, 'rollback', '2026-11', null)).toMatchObject({ denominator: 0, value: null });
    expect(kpiPoint(r, 'rollback', null, 'L01')).toMatchObject({ numerator: 0, denominator: 2 });
  });

  it('emergency-change rate: executions started per month of class emergency', () => {
    expect(kpiPoint(r, 'emergency', '2026-09', null)).toMatchObject({ numerator: 0, denominator: 2 });
    expect(kpiPoint(r, 'emergency', '2026-10', null)).toMatchObject({ numerator: 2, denominator: 3, hits: ['C', 'D'] });
    expect(kpiPoint(r, 'emergency', null, null)).toMatchObject({ numerator: 2, denominator: 6 });
  });

  it('overdue retrospective reviews: break-glass changes whose review is overdue now or was late', () => {
    expect(kpiPoint(r, 'overdue-retrospective', '2026-10', null)).toMatchObject({
      value: 2,
      numerator: 2,
      denominator: 2,
      hits: ['C', 'D'],
    });
    // Seen on 20 Oct 12:00Z, D's review (due 21 Oct 09:00Z) is only due, not overdue.
    const early = computeKpis(
      input(
        history.filter((c) => c.state.id === 'D'),
        '2026-10-20T12:00:00Z',
      ),
    );
    expect(kpiPoint(early, 'overdue-retrospective', '2026-10', null)).toMatchObject({ value: 0, denominator: 1 });
  });

  it('unauthorized changes found by drift: records opened per month, with the drift checks behind them', () => {
    expect(kpiPoint(r, 'unauthorized-drift', '2026-09', null)).toMatchObject({ value: 1, denominator: 2, hits: ['U1'] });
    expect(kpiPoint(r, 'unauthorized-drift', '2026-10', null)).toMatchObject({ value: 0, denominator: 0 });
    expect(kpiPoint(r, 'unauthorized-drift', '2026-11', NO_LINE)).toMatchObject({ value: 1, denominator: 1, hits: ['U2'] });
    expect(kpiPoint(r, 'unauthorized-drift', '2026-11', 'L01')).toMatchObject({ value: 0 });
  });

  it('a change still in execution counts where it started and nowhere it has not reached', () => {
    expect(kpiPoint(r, 'rollback', null, null)?.ids).not.toContain('F');
    expect(kpiPoint(r, 'before-after-signature', null, null)?.ids).not.toContain('F');
    expect(kpiPoint(r, 'emergency', '2026-11', null)?.ids).toEqual(['F']);
  });

  it('exports a series as CSV with Papa Parse, one row per month (and class for lead time)', () => {
    const rows = Papa.parse(kpiSeriesCsv(r, 'rollback', null), {}) as { data: string[][] };
    expect(rows.data[0]).toEqual(['kpi', 'month', 'line', 'class', 'numerator', 'denominator', 'rate', 'counted_ids', 'population_ids']);
    expect(rows.data[2]).toEqual(['rollback', '2026-10', 'all', '', '2', '3', '0.6667', 'C D', 'B C D']);
    expect(rows.data[3]).toEqual(['rollback', '2026-11', 'all', '', '0', '0', '', '', '']);
    const lead = (Papa.parse(kpiSeriesCsv(r, 'lead-time', 'L01'), {}) as { data: string[][] }).data;
    expect(lead.length).toBe(1 + 3 * 4);
    expect(lead.find((x) => x[1] === '2026-09' && x[3] === 'normal')).toEqual([
      'lead-time',
      '2026-09',
      'L01',
      'normal',
      '2',
      '2',
      '4.00',
      'A B',
      'A B',
    ]);
  });

  it('exports the register with quoting where a title needs it', () => {
    const csv = registerCsv([
      {
        id: 'A',
        title: 'Raise speed, "fast"',
        class: 'normal',
        status: 'closed',
        requester: 'Erin',
        lines: ['L01', 'L02'],
        createdAt: 'x',
        updatedAt: 'y',
        number: 'CR-0003',
      },
    ]);
    expect(csv.split('\r\n')[1]).toBe('A,"Raise speed, ""fast""",normal,closed,Erin,L01 L02,x,y,CR-0003');
  });
});
