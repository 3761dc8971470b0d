/** A controller's profile tags with current values, for a proposed change. */
import type { TAG_VALUES_OPERATIONS } from '../../../src-shared/common/api/tag-values-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the tag value operations. */
export function tagValuesHandlers(app: BaselineApp): DomainHandlers<typeof TAG_VALUES_OPERATIONS> {
  return { 'controllers.currentValues': (req) => app.tagValues.currentValues(req.controllerId) };
}
