/**
 * The handlers of the plant-scale lists (issue #11): editing and retiring controllers, the global search, capturing
 * a whole line, picking proposed tags with current values, and the filtered Audit trail. Each is one service call.
 */
import type { BaselineApp } from './baseline-app.ts';
import type { Handlers } from './api-router.ts';
import { resolveChangeRef } from '../../src-shared/common/workflow/change-ref.ts';
import { ChangeRepository } from '../store/change-repository.ts';

type PlantListOperations = 'controllers.edit' | 'controllers.retire' | 'search.global' | 'capture.line' | 'controllers.currentValues' | 'journal.search';

/** Handlers of the plant-scale list operations. */
export function plantListsHandlers(app: BaselineApp): Pick<Handlers, PlantListOperations> {
  const changes = new ChangeRepository(app.store.db);
  return {
    'controllers.edit': (req) => {
      const { controllerId, reason, employeeId, password, ...edit } = req;
      app.controllerEdits.edit(controllerId, {
        ...(edit.name !== undefined ? { name: edit.name } : {}), ...(edit.target !== undefined ? { target: edit.target } : {}),
        ...(edit.profileSha256 !== undefined ? { profileSha256: edit.profileSha256 } : {}),
      }, reason, { employeeId, password });
      return { ok: true as const };
    },
    'controllers.retire': (req) => {
      app.controllerEdits.retire(req.controllerId, req.reason, { employeeId: req.employeeId, password: req.password });
      return { ok: true as const };
    },
    'search.global': (req) => app.search.search(req.query),
    'capture.line': (req) => app.lineCaptures.captureLine(req.lineId, app.actor()),
    'controllers.currentValues': (req) => app.tagValues.currentValues(req.controllerId),
    'journal.search': (req) => {
      const changeId = req.change?.trim() ? resolveChangeRef(req.change, (n) => changes.idsByNumber(n)) : null;
      return { ...app.journalService.search({ type: req.type || undefined, signer: req.signer || undefined, changeId: changeId ?? undefined, from: req.from, to: req.to }, req.limit, req.beforeRowid), changeId };
    },
  };
}
