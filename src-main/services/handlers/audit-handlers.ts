/** The Audit trail narrowed by event type, signer, change (by CR number or id) and date. */
import type { AUDIT_OPERATIONS } from '../../../src-shared/common/api/audit-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the audit operations. */
export function auditHandlers(app: BaselineApp): DomainHandlers<typeof AUDIT_OPERATIONS> {
  return {
    'journal.search': (req) => {
      const changeId = req.change?.trim() ? app.changes.resolveRef(req.change) : null;
      return {
        ...app.journalService.search(
          { type: req.type || undefined, signer: req.signer || undefined, changeId: changeId ?? undefined, from: req.from, to: req.to },
          req.limit,
          req.beforeRowid,
        ),
        changeId,
      };
    },
  };
}
