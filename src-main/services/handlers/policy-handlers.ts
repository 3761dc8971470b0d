/** The change policy in force, and adopting a new revision. */
import type { POLICY_OPERATIONS } from '../../../src-shared/common/api/policy-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the policy operations. */
export function policyHandlers(app: BaselineApp): DomainHandlers<typeof POLICY_OPERATIONS> {
  return {
    'policy.get': () => app.policy.view(),
    'policy.adopt': (req) => app.changes.adoptPolicy(req.yaml, req.source, req.employeeId, req.password, app.actor()),
  };
}
