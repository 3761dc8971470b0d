/** The change KPIs, computed from the journal. */
import type { KPI_OPERATIONS } from '../../../src-shared/common/api/kpi-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the KPI operations. */
export function kpiHandlers(app: BaselineApp): DomainHandlers<typeof KPI_OPERATIONS> {
  return { 'kpis.report': () => app.kpis.report() };
}
