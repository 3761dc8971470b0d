/** The signed journal: events with their verification state, and whole-journal verification. */
import type { JOURNAL_OPERATIONS } from '../../../src-shared/common/api/journal-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the journal operations. */
export function journalHandlers(app: BaselineApp): DomainHandlers<typeof JOURNAL_OPERATIONS> {
  return {
    'journal.list': (req) => app.journalService.list(req.limit, req.beforeRowid),
    'journal.verify': () => app.journalService.verifyAndRecord(app.actor()),
  };
}
