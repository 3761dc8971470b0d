// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="../papaparse.d.ts" />
/**
 * CSV exports of the KPI screen: one KPI's series (a row per month, and per class for lead time) and the change
 * register. Papa Parse writes the CSV (quoting, line ends); this module only chooses the columns.
 */
import Papa from 'papaparse';
import { CHANGE_CLASSES } from '../workflow/workflow-terms.ts';
import { KPI_DEFINITIONS, kpiPoint, type KpiId, type KpiReport } from './change-kpis.ts';

const CRLF = '\r\n';

function numberText(v: number | null, unit: 'rate' | 'days' | 'count'): string {
  if (v === null) return '';
  return unit === 'count' ? String(v) : v.toFixed(unit === 'rate' ? 4 : 2);
}

/** One KPI's monthly series for a line (null: all lines) as CSV, with the ids of the changes behind each figure. */
export function kpiSeriesCsv(report: KpiReport, kpi: KpiId, line: string | null): string {
  const def = KPI_DEFINITIONS[kpi];
  const classes = kpi === 'lead-time' ? CHANGE_CLASSES : [null];
  const data: string[][] = [];
  for (const month of report.months) {
    for (const cls of classes) {
      const p = kpiPoint(report, kpi, month, line, cls);
      if (!p) continue;
      data.push([
        kpi,
        month,
        line ?? 'all',
        cls ?? '',
        String(p.numerator),
        String(p.denominator),
        numberText(p.value, def.unit),
        p.hits.join(' '),
        p.ids.join(' '),
      ]);
    }
  }
  return Papa.unparse(
    {
      fields: [
        'kpi',
        'month',
        'line',
        'class',
        'numerator',
        'denominator',
        def.unit === 'rate' ? 'rate' : def.unit === 'days' ? 'median_days' : 'count',
        'counted_ids',
        'population_ids',
      ],
      data,
    },
    { newline: CRLF },
  );
}

/** One row of the change register as exported. */
export interface RegisterRow {
  id: string;
  /** The plant's change number ("CR-0007"); absent in rows from before numbers existed. */
  number?: string;
  title: string;
  class: string | null;
  status: string;
  requester: string;
  lines: readonly string[];
  createdAt: string;
  updatedAt: string;
}

/** The change register as CSV, one change per row. */
export function registerCsv(rows: readonly RegisterRow[]): string {
  return Papa.unparse(
    {
      fields: ['id', 'title', 'class', 'status', 'requester', 'lines', 'created_at', 'updated_at', 'number'],
      data: rows.map((r) => [
        r.id,
        r.title,
        r.class ?? '',
        r.status,
        r.requester,
        r.lines.join(' '),
        r.createdAt,
        r.updatedAt,
        r.number ?? '',
      ]),
    },
    { newline: CRLF },
  );
}
