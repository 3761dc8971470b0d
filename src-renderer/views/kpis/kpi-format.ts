/** How the KPI screen writes figures and months. */
import type { KpiPoint, KpiUnit } from '../../../src-shared/common/kpi/change-kpis.ts';

/** "83%", "2.4 d", "3", or "—" when there is nothing to measure. */
export function formatValue(value: number | null, unit: KpiUnit): string {
  if (value === null) return '—';
  if (unit === 'rate') return `${Math.round(value * 100)}%`;
  if (unit === 'days') return `${value.toFixed(1)} d`;
  return String(value);
}

/** "5 of 6 changes", "1 of 3 drift checks", "2 changes". */
export function formatBasis(p: KpiPoint | undefined, unit: KpiUnit, kpi: string): string {
  if (!p) return '';
  if (kpi === 'unauthorized-drift') return `${p.numerator} found in ${p.denominator} drift check${p.denominator === 1 ? '' : 's'}`;
  if (unit === 'rate' || unit === 'count') return `${p.numerator} of ${p.denominator} change${p.denominator === 1 ? '' : 's'}`;
  return `${p.numerator} change${p.numerator === 1 ? '' : 's'}`;
}

/** "2026-09" -> "Sep 2026". */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1, 15)).toLocaleString('en-US', { month: 'short', year: 'numeric', timeZone: 'UTC' });
}
