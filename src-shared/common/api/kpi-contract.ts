/**
 * The KPI screen's part of the API contract (one file per domain; spread into OPERATIONS by contract.ts).
 */
import * as z from 'zod';
import type { KpiReport } from '../kpi/change-kpis.ts';

/** An unauthorized-change record behind the drift KPI, as the screen lists it. */
export interface KpiUnauthorizedView {
  id: string;
  controllerId: string;
  controller: string;
  openedAt: string;
  closedAt: string | null;
}

/** The KPI report with what the screen needs to name the records behind each figure. */
export interface KpiReportView extends KpiReport {
  unauthorized: KpiUnauthorizedView[];
}

/** KPI operations. */
export const KPI_OPERATIONS = {
  /** Every change KPI per plant-time month and line, computed from the journal now. */
  'kpis.report': { request: z.object({}).strict(), response: z.custom<KpiReportView>() },
} as const;
