/**
 * Change KPIs (docs/kpis.md): reads the change records, drift checks and unauthorized-change records from the
 * store and hands them to the pure computation (src-shared/common/kpi/change-kpis.ts), in the plant's time zone.
 */
import { computeKpis } from '../../src-shared/common/kpi/change-kpis.ts';
import type { ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import type { KpiRepository } from '../store/kpi-repository.ts';
import type { PolicyService } from './policy-service.ts';
import type { KpiReportView } from '../../src-shared/common/api/kpi-contract.ts';

/** Computes the change KPIs from the journal's projections. */
export class KpiService {
  private readonly deps: { repo: KpiRepository; policy: PolicyService; clock: () => Date };

  constructor(deps: KpiService['deps']) {
    this.deps = deps;
  }

  /** Every KPI per plant-time month and line, as of now. */
  report(): KpiReportView {
    const rows = this.deps.repo.read();
    const linesOf = (controllerIds: readonly string[]) =>
      [...new Set(controllerIds.map((id) => rows.controllers.get(id)?.lineId).filter((l): l is string => typeof l === 'string'))].sort();
    const changes = rows.changes.map((r) => {
      const state = JSON.parse(r.state) as ChangeState;
      return { state, firstSubmittedAt: rows.firstSubmits.get(r.id) ?? null, lines: linesOf(state.fields.targetControllers) };
    });
    const report = computeKpis({
      changes,
      unauthorized: rows.unauthorized.map((u) => ({
        id: u.id,
        controllerId: u.controllerId,
        openedAt: u.openedAt,
        lines: linesOf([u.controllerId]),
      })),
      driftChecks: rows.driftChecks.map((d) => ({ at: d.at, lines: linesOf([d.controllerId]) })),
      timeZone: this.deps.policy.current().plant.timeZone,
      now: this.deps.clock(),
    });
    return {
      ...report,
      unauthorized: rows.unauthorized.map((u) => ({ ...u, controller: rows.controllers.get(u.controllerId)?.name ?? u.controllerId })),
    };
  }
}
