/** The header's global search. */
import type { SEARCH_OPERATIONS } from '../../../src-shared/common/api/search-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the search operations. */
export function searchHandlers(app: BaselineApp): DomainHandlers<typeof SEARCH_OPERATIONS> {
  return { 'search.global': (req) => app.search.search(req.query) };
}
