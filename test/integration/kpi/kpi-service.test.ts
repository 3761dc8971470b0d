import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { kpiPoint } from '../../../src-shared/common/kpi/change-kpis.ts';
import { ApiRouter, appHandlers } from '../../../src-main/services/api-router.ts';
import type { KpiReportView } from '../../../src-shared/common/api/kpi-contract.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { setUpPlant, startLine1Simulator } from '../../helpers/change-fixture.ts';
import { buildKpiHistory, type KpiHistory } from '../../helpers/kpi-history.ts';

describe('KPIs through the service on a real store, from changes driven through the change service', () => {
  const t = tempHome();
  let now = new Date('2026-09-01T15:00:00Z');
  let app: BaselineApp;
  let line1: Awaited<ReturnType<typeof startLine1Simulator>>;
  let h: KpiHistory;

  beforeAll(async () => {
    line1 = await startLine1Simulator();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    const controllerId = setUpPlant(app, line1.sim.port);
    h = await buildKpiHistory(app, controllerId, line1, (d) => {
      now = d;
    });
  }, 120_000);
  afterAll(async () => {
    app?.close();
    await line1?.sim.close();
    t.cleanup();
  });

  it('gives each KPI per plant-time month and line, worked out by hand from the history', () => {
    const r = app.kpis.report();
    expect(r.timeZone).toBe('America/Chicago');
    expect(r.months).toEqual(['2026-09', '2026-10', '2026-11']);
    expect(r.lines).toEqual(['L20']);
    // Documented approver: September's change approved (1/1); October's break-glass change has no signed approval or review (0/1).
    expect(kpiPoint(r, 'documented-approver', '2026-09', 'L20')).toMatchObject({
      numerator: 1,
      denominator: 1,
      value: 1,
      ids: [h.completed],
    });
    expect(kpiPoint(r, 'documented-approver', '2026-10', null)).toMatchObject({
      numerator: 0,
      denominator: 1,
      value: 0,
      ids: [h.emergency],
    });
    expect(kpiPoint(r, 'documented-approver', '2026-11', null)).toMatchObject({ numerator: 1, denominator: 1, ids: [h.inExecution] });
    // Before/after: the one completed change has both snapshots; the rolled-back one is not in the population.
    expect(kpiPoint(r, 'before-after-signature', '2026-09', null)).toMatchObject({ numerator: 1, denominator: 1, value: 1 });
    expect(kpiPoint(r, 'before-after-signature', null, null)).toMatchObject({ denominator: 1 });
    // Lead time: submitted 30 h before the slot and started 1 minute into it: 30h01m; 12h01m in November.
    expect(kpiPoint(r, 'lead-time', '2026-09', null, 'normal')?.value).toBeCloseTo((30 * 60 + 1) / 1440, 9);
    expect(kpiPoint(r, 'lead-time', '2026-11', null, 'normal')?.value).toBeCloseTo((12 * 60 + 1) / 1440, 9);
    expect(kpiPoint(r, 'lead-time', '2026-10', null, 'emergency')).toMatchObject({ value: 0, ids: [h.emergency] });
    expect(kpiPoint(r, 'lead-time', null, null, 'normal')?.value).toBeCloseTo((21 * 60 + 1) / 1440, 9);
    // Rollback: September 0/1, October 1/1; the November change has not ended.
    expect(kpiPoint(r, 'rollback', '2026-09', null)).toMatchObject({ numerator: 0, denominator: 1 });
    expect(kpiPoint(r, 'rollback', '2026-10', null)).toMatchObject({ numerator: 1, denominator: 1, hits: [h.emergency] });
    expect(kpiPoint(r, 'rollback', null, null)).toMatchObject({ numerator: 1, denominator: 2, value: 0.5 });
    // Emergency rate over the period: 1 of 3 executions.
    expect(kpiPoint(r, 'emergency', null, null)).toMatchObject({ numerator: 1, denominator: 3 });
    // The October break-glass review was due within 24 h and never done: overdue now (16 November).
    expect(kpiPoint(r, 'overdue-retrospective', '2026-10', 'L20')).toMatchObject({ value: 1, hits: [h.emergency] });
    // Drift: one check in November, which opened the unauthorized-change record.
    expect(kpiPoint(r, 'unauthorized-drift', '2026-11', 'L20')).toMatchObject({ value: 1, denominator: 1, hits: [h.unauthorized] });
    expect(r.unauthorized).toMatchObject([{ id: h.unauthorized, controller: 'PLC-L01-FILLER', closedAt: null }]);
  });

  it('answers the kpis.report operation through the API router with the same figures', async () => {
    const router = new ApiRouter(appHandlers(app));
    const reply = await router.call('kpis.report', {});
    if (!reply.ok) throw new Error(reply.error.message);
    const r = reply.value as KpiReportView;
    expect(kpiPoint(r, 'rollback', '2026-10', null)?.hits).toEqual([h.emergency]);
    const bad = await router.call('kpis.report', { month: '2026-10' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('projections rebuilt from the journal give the same report', () => {
    const before = app.kpis.report();
    app.journal.rebuildProjections();
    expect(app.kpis.report()).toEqual(before);
  });
});
