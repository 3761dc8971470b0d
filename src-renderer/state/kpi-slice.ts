/**
 * The KPI screen's slice: the KPI report, and the set of changes the Changes register is narrowed to when a KPI
 * figure is opened there ("the changes behind this figure").
 */
import type { StateCreator } from 'zustand';
import type { KpiReportView } from '../../src-shared/common/api/kpi-contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import type { BaselineApi } from '../../src-shared/common/api/transport.ts';

/** The register narrowed to the changes behind one figure. */
export interface RegisterFilter {
  /** What the figure is ("Rollback rate · L20 · 2026-10"). */
  label: string;
  ids: string[];
}

/** KPI report and the register's figure filter. */
export interface KpiSlice {
  kpiReport: KpiReportView | null;
  kpiError: ErrorData | null;
  loadKpis(): Promise<void>;
  registerFilter: RegisterFilter | null;
  /** Opens the Changes register showing only these changes. */
  showInRegister(filter: RegisterFilter): void;
  clearRegisterFilter(): void;
}

/** What the slice needs from the rest of the store. */
interface Needs {
  api: BaselineApi | null;
  go(view: 'changes'): void;
}

/** Builds the slice (`errorOf` turns a failure into what the screen shows). */
export function createKpiSlice<S extends KpiSlice & Needs>(errorOf: (err: unknown) => ErrorData): StateCreator<S, [], [], KpiSlice> {
  return (set, get) => ({
    kpiReport: null,
    kpiError: null,
    async loadKpis() {
      const api = get().api;
      if (!api) return;
      try {
        set({ kpiReport: await api.invoke('kpis.report', {}), kpiError: null } as Partial<S>);
      } catch (err) {
        set({ kpiError: errorOf(err) } as Partial<S>);
      }
    },
    registerFilter: null,
    showInRegister(filter) {
      set({ registerFilter: filter } as Partial<S>);
      get().go('changes');
    },
    clearRegisterFilter: () => set({ registerFilter: null } as Partial<S>),
  });
}
