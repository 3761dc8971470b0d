/** The People screen's view: enrolled people, CAs, the plant's roles, who may give which signature, the roster and sites. */
import type { OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { BaselineApp } from './baseline-app.ts';
import { BASELINE_APPROVER_ROLES } from './baseline-service.ts';
import { PLANT_ENGINEERING } from './plant-model-service.ts';
import { RESTORE_AUTHORIZER_ROLES } from './restore-service.ts';

/** Everything the People screen lists, from the identity, policy and plant services. */
export function peopleView(app: BaselineApp): OperationResponse<'people.list'> {
  return {
    people: app.identity.people().map(({ certificatePem: _pem, ...p }) => p),
    cas: app.identity.cas(),
    hasLocalCa: app.identity.hasLocalCa(),
    roles: app.policy.roles(),
    signatureRoles: {
      baseline: [...BASELINE_APPROVER_ROLES],
      plantEngineering: [...PLANT_ENGINEERING],
      restore: [...RESTORE_AUTHORIZER_ROLES],
    },
    roster: app.plantModel.roster(),
    sites: app.plantModel.sites(),
  };
}
