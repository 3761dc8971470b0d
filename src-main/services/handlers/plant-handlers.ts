/** The plant model: sites, lines, where each controller sits, safety systems, the lines' window calendar. */
import type { PLANT_OPERATIONS } from '../../../src-shared/common/api/plant-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

const OK = { ok: true as const };

/** Handlers of the plant operations (every edit signed by plant engineering). */
export function plantHandlers(app: BaselineApp): DomainHandlers<typeof PLANT_OPERATIONS> {
  const signer = (req: { employeeId: string; password: string }) => ({ employeeId: req.employeeId, password: req.password });
  return {
    'plant.get': () => app.plantModel.view(),
    'plant.import': (req) => app.plantModel.importPlantCounts(req.text, req.source, signer(req)),
    'plant.setSite': (req) => (app.plantModel.setSite(req.site, req.reason, signer(req)), OK),
    'plant.setLine': (req) => (app.plantModel.setLine({ ...req.line, tier: req.line.tier as 1 | 2 | 3 }, req.reason, signer(req)), OK),
    'plant.removeLine': (req) => (app.plantModel.removeLine(req.lineId, req.reason, signer(req)), OK),
    'controllers.setSafety': (req) => (app.plantModel.setControllerSafety(req.controllerId, req.safety, req.reason, signer(req)), OK),
    'controllers.assignLine': (req) => (app.plantModel.assignLine(req.controllerId, req.lineId, req.reason, signer(req)), OK),
    'windows.calendar': (req) => app.changeViews.calendar(new Date(req.from), req.days),
  };
}
