/**
 * Change KPIs (issue #14, docs/kpis.md): pure computation over the change records of the journal, per plant-time
 * month and per line. Each figure keeps the ids of the records behind it (its population and the ones it counts),
 * so the screen can show exactly which changes make a number. No I/O: the service feeds it what the store holds.
 */
import type { ChangeState } from '../workflow/change-state.ts';
import { retrospectiveStatus } from '../workflow/change-deadlines.ts';
import { CHANGE_CLASSES, type ChangeClass } from '../workflow/workflow-terms.ts';
import { instantToLocal } from '../workflow/time-zone.ts';

/** The KPIs, in the order the screen shows them. */
export const KPI_IDS = [
  'documented-approver',
  'before-after-signature',
  'lead-time',
  'rollback',
  'emergency',
  'overdue-retrospective',
  'unauthorized-drift',
] as const;

/** A KPI's id. */
export type KpiId = (typeof KPI_IDS)[number];

/** What a KPI's value is: a fraction of its population (0..1), a median in days, or a count. */
export type KpiUnit = 'rate' | 'days' | 'count';

/** The bucket of changes whose target controllers are on no line of the plant model. */
export const NO_LINE = '(no line)';

/** How each KPI is named and measured (definitions in docs/kpis.md). */
export const KPI_DEFINITIONS: Readonly<Record<KpiId, { title: string; unit: KpiUnit; population: string; counts: string }>> = {
  'documented-approver': {
    title: 'Documented-approver rate',
    unit: 'rate',
    population: 'changes whose execution started in the month',
    counts: 'with at least one e-signed approval or retrospective review',
  },
  'before-after-signature': {
    title: 'Before/after-signature rate',
    unit: 'rate',
    population: 'changes closed as completed in the month',
    counts: 'with a signed before- and after-snapshot of every target controller',
  },
  'lead-time': {
    title: 'Lead time by class (median, days)',
    unit: 'days',
    population: 'changes whose execution started in the month',
    counts: 'days from first submission to the start of execution',
  },
  rollback: {
    title: 'Rollback rate',
    unit: 'rate',
    population: 'changes whose execution ended (closed or rolled back) in the month',
    counts: 'rolled back',
  },
  emergency: {
    title: 'Emergency-change rate',
    unit: 'rate',
    population: 'changes whose execution started in the month',
    counts: 'of class emergency',
  },
  'overdue-retrospective': {
    title: 'Overdue retrospective reviews',
    unit: 'count',
    population: 'break-glass changes started in the month',
    counts: 'whose retrospective review is overdue or was completed late',
  },
  'unauthorized-drift': {
    title: 'Unauthorized changes found by drift',
    unit: 'count',
    population: 'drift checks in the month',
    counts: 'unauthorized-change records opened by drift',
  },
};

/** One change as the KPIs need it: its current state, when it was first submitted, and the lines of its controllers. */
export interface KpiChange {
  state: ChangeState;
  /** The first `submit` of the change (a deferred change resubmitted keeps its first); null if never submitted (break-glass from a draft). */
  firstSubmittedAt: string | null;
  /** Lines of its target controllers (empty: on no line). */
  lines: readonly string[];
}

/** One unauthorized-change record opened by a drift check. */
export interface KpiUnauthorized {
  id: string;
  controllerId: string;
  openedAt: string;
  lines: readonly string[];
}

/** One drift check (the population of the drift KPI). */
export interface KpiDriftCheck {
  at: string;
  lines: readonly string[];
}

/** Everything the KPIs are computed from. */
export interface KpiInput {
  changes: readonly KpiChange[];
  unauthorized: readonly KpiUnauthorized[];
  driftChecks: readonly KpiDriftCheck[];
  /** The plant's IANA time zone: months are plant-local calendar months. */
  timeZone: string;
  now: Date;
}

/** One figure: a KPI for a month (null: the whole period), a line (null: all lines) and, for lead time, a class. */
export interface KpiPoint {
  kpi: KpiId;
  month: string | null;
  line: string | null;
  class: ChangeClass | null;
  /** How many records the figure counts (for lead time: the changes measured). */
  numerator: number;
  /** The population (for lead time: the same changes; for drift: the drift checks). */
  denominator: number;
  /** Rate (0..1), median days, or count; null when the population is empty (rates, lead time). */
  value: number | null;
  /** Ids of the records in the population (changes; for drift, the unauthorized-change records). */
  ids: string[];
  /** Ids of the records the figure counts. */
  hits: string[];
}

/** Every figure, for every month from the first recorded one to the current one. */
export interface KpiReport {
  timeZone: string;
  generatedAt: string;
  /** Plant-local months "YYYY-MM", oldest first. */
  months: string[];
  /** Lines with any record, sorted ({@link NO_LINE} last). */
  lines: string[];
  points: KpiPoint[];
  /** Lead time of each measured change in days (for the drill-down list). */
  leadDays: Record<string, number>;
}

const DAY_MS = 86_400_000;

/** The plant-local month "YYYY-MM" of an instant. */
export function plantMonth(instant: string | number, timeZone: string): string {
  const l = instantToLocal(typeof instant === 'number' ? instant : Date.parse(instant), timeZone);
  return `${String(l.year).padStart(4, '0')}-${String(l.month).padStart(2, '0')}`;
}

/** The median of a list of numbers (mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
}

/** What one change contributes: the instants and facts each KPI looks at. */
interface ChangeFacts {
  id: string;
  lines: string[];
  cls: ChangeClass | null;
  startedAt: string | null;
  endedAt: string | null;
  completedAt: string | null;
  rolledBack: boolean;
  documentedApprover: boolean;
  beforeAndAfter: boolean;
  breakGlass: boolean;
  retrospectiveOverdue: boolean;
  leadDays: number | null;
}

function factsOf(c: KpiChange, now: Date): ChangeFacts {
  const s = c.state;
  const base: ChangeFacts = {
    id: s.id,
    lines: c.lines.length > 0 ? [...c.lines] : [NO_LINE],
    cls: s.fields.class,
    startedAt: null,
    endedAt: null,
    completedAt: null,
    rolledBack: false,
    documentedApprover: (s.review?.approvals.length ?? 0) > 0,
    beforeAndAfter: false,
    breakGlass: false,
    retrospectiveOverdue: false,
    leadDays: null,
  };
  if (s.status !== 'in-execution' && s.status !== 'rolled-back' && s.status !== 'closed') return base;
  const ex = s.execution;
  const rollback = s.status === 'rolled-back' ? s.rollback : s.status === 'closed' ? s.rollback : null;
  const closure = s.status === 'closed' ? s.closure : null;
  const snapshots = ex.snapshots ?? [];
  const has = (phase: 'before' | 'after', controllerId: string) =>
    snapshots.some((x) => x.phase === phase && x.controllerId === controllerId);
  const targets = s.fields.targetControllers;
  const retro = retrospectiveStatus(s, now);
  const requestedAt = c.firstSubmittedAt ?? s.review.submittedAt;
  return {
    ...base,
    startedAt: ex.startedAt,
    endedAt: rollback?.at ?? closure?.at ?? null,
    completedAt: closure?.outcome === 'completed' ? closure.at : null,
    rolledBack: rollback !== null || closure?.outcome === 'rolled-back',
    documentedApprover: base.documentedApprover || (ex.retrospective?.reviews.length ?? 0) > 0,
    beforeAndAfter: targets.length > 0 && targets.every((t) => has('before', t) && has('after', t)),
    breakGlass: ex.breakGlass !== null,
    retrospectiveOverdue: retro.status === 'overdue' || (retro.status === 'done' && retro.late),
    leadDays: Math.max(0, Date.parse(ex.startedAt) - Date.parse(requestedAt)) / DAY_MS,
  };
}

/** A record placed in a KPI's population at an instant, counted or not. */
interface Member {
  id: string;
  at: string;
  lines: readonly string[];
  hit: boolean;
  cls: ChangeClass | null;
}

/** Computes every KPI per month and line (and per class for lead time). */
export function computeKpis(input: KpiInput): KpiReport {
  const tz = input.timeZone;
  const facts = input.changes.map((c) => factsOf(c, input.now));
  const members: Record<KpiId, Member[]> = {
    'documented-approver': facts
      .filter((f) => f.startedAt)
      .map((f) => ({ id: f.id, at: f.startedAt!, lines: f.lines, hit: f.documentedApprover, cls: f.cls })),
    'before-after-signature': facts
      .filter((f) => f.completedAt)
      .map((f) => ({ id: f.id, at: f.completedAt!, lines: f.lines, hit: f.beforeAndAfter, cls: f.cls })),
    'lead-time': facts.filter((f) => f.startedAt).map((f) => ({ id: f.id, at: f.startedAt!, lines: f.lines, hit: true, cls: f.cls })),
    rollback: facts.filter((f) => f.endedAt).map((f) => ({ id: f.id, at: f.endedAt!, lines: f.lines, hit: f.rolledBack, cls: f.cls })),
    emergency: facts
      .filter((f) => f.startedAt)
      .map((f) => ({ id: f.id, at: f.startedAt!, lines: f.lines, hit: f.cls === 'emergency', cls: f.cls })),
    'overdue-retrospective': facts
      .filter((f) => f.startedAt && f.breakGlass)
      .map((f) => ({ id: f.id, at: f.startedAt!, lines: f.lines, hit: f.retrospectiveOverdue, cls: f.cls })),
    'unauthorized-drift': input.unauthorized.map((u) => ({
      id: u.id,
      at: u.openedAt,
      lines: u.lines.length > 0 ? u.lines : [NO_LINE],
      hit: true,
      cls: null,
    })),
  };
  const driftChecks = input.driftChecks.map((d) => ({ month: plantMonth(d.at, tz), lines: d.lines.length > 0 ? d.lines : [NO_LINE] }));
  const leadDays: Record<string, number> = {};
  for (const f of facts) if (f.leadDays !== null) leadDays[f.id] = f.leadDays;

  // Months: from the first one any record falls in, to the current one (months with nothing show as empty).
  const monthOf = new Map<string, string>();
  const allMonths = new Set<string>(driftChecks.map((d) => d.month));
  for (const list of Object.values(members)) for (const m of list) allMonths.add(plantMonth(m.at, tz));
  const current = plantMonth(input.now.getTime(), tz);
  const first = [...allMonths].sort()[0] ?? current;
  const months: string[] = [];
  for (let m = first; m <= current || months.length === 0; m = nextMonth(m)) months.push(m);
  for (const m of [...allMonths].sort()) if (m > current) months.push(m); // a clock ahead of `now`: still shown
  const lineSet = new Set<string>();
  for (const list of Object.values(members)) for (const m of list) m.lines.forEach((l) => lineSet.add(l));
  driftChecks.forEach((d) => d.lines.forEach((l) => lineSet.add(l)));
  const lines = [...lineSet].filter((l) => l !== NO_LINE).sort();
  if (lineSet.has(NO_LINE)) lines.push(NO_LINE);

  const points: KpiPoint[] = [];
  for (const kpi of KPI_IDS) {
    const list = members[kpi];
    for (const m of list) monthOf.set(`${kpi}:${m.id}`, plantMonth(m.at, tz));
    for (const month of [null, ...months]) {
      for (const line of [null, ...lines]) {
        const inCell = list.filter(
          (m) => (month === null || monthOf.get(`${kpi}:${m.id}`) === month) && (line === null || m.lines.includes(line)),
        );
        if (kpi === 'lead-time') {
          for (const cls of CHANGE_CLASSES) {
            const of = inCell.filter((m) => m.cls === cls);
            const ids = of.map((m) => m.id);
            points.push({
              kpi,
              month,
              line,
              class: cls,
              numerator: ids.length,
              denominator: ids.length,
              value: median(ids.map((id) => leadDays[id]!)),
              ids,
              hits: ids,
            });
          }
          continue;
        }
        const ids = inCell.map((m) => m.id);
        const hits = inCell.filter((m) => m.hit).map((m) => m.id);
        if (kpi === 'unauthorized-drift') {
          const checks = driftChecks.filter(
            (d) => (month === null || d.month === month) && (line === null || d.lines.includes(line)),
          ).length;
          points.push({ kpi, month, line, class: null, numerator: hits.length, denominator: checks, value: hits.length, ids, hits });
        } else if (kpi === 'overdue-retrospective') {
          points.push({ kpi, month, line, class: null, numerator: hits.length, denominator: ids.length, value: hits.length, ids, hits });
        } else {
          points.push({
            kpi,
            month,
            line,
            class: null,
            numerator: hits.length,
            denominator: ids.length,
            value: ids.length === 0 ? null : hits.length / ids.length,
            ids,
            hits,
          });
        }
      }
    }
  }
  return { timeZone: tz, generatedAt: input.now.toISOString(), months, lines, points, leadDays };
}

/** The figure of a KPI for a month and line (and class for lead time); undefined when the report has none. */
export function kpiPoint(
  report: KpiReport,
  kpi: KpiId,
  month: string | null,
  line: string | null,
  cls: ChangeClass | null = null,
): KpiPoint | undefined {
  return report.points.find((p) => p.kpi === kpi && p.month === month && p.line === line && p.class === (kpi === 'lead-time' ? cls : null));
}

/** Least-squares slope of the monthly medians of a class's lead time, in days per month (null with fewer than two months with data). */
export function leadTimeTrend(report: KpiReport, line: string | null, cls: ChangeClass): number | null {
  const pts = report.months
    .map((m, i) => ({ x: i, y: kpiPoint(report, 'lead-time', m, line, cls)?.value ?? null }))
    .filter((p): p is { x: number; y: number } => p.y !== null);
  if (pts.length < 2) return null;
  const mx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.y, 0) / pts.length;
  const num = pts.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  const den = pts.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  return num / den;
}
