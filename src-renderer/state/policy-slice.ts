/** The policy slice: the change policy in force (classes, tiers, windows, the plant's time zone) and adopting a new one. */
import type { StateCreator } from 'zustand';
import type { OperationRequest, OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, errorIn, type Connected } from './call.ts';
import type { PeopleSlice } from './people-slice.ts';

/** The policy in force. */
export interface PolicySlice {
  /** The policy in force (name, revision, who adopted it, the plant's time zone); loaded at connection and with the register. */
  policy: OperationResponse<'policy.get'> | null;
  /** Adopts a signed policy file: the error to show in its form, or null. */
  adoptPolicy(req: OperationRequest<'policy.adopt'>): Promise<ErrorData | null>;
}

/** The register is reloaded after adoption (with the policy); written out, as the changes slice reads this one. */
interface Needs extends Connected, Pick<PeopleSlice, 'loadPeople'> {
  loadChanges(): Promise<void>;
}

/** Creates the slice. */
export const createPolicySlice: StateCreator<PolicySlice & Needs, [], [], PolicySlice> = (_set, get) => ({
  policy: null,
  async adoptPolicy(req) {
    const r = await call(get, async (api) => {
      await api.invoke('policy.adopt', req);
      await get().loadChanges();
    });
    if ('error' in r) void get().loadPeople();
    return errorIn(r);
  },
});

/** Selector: the plant's time zone (UTC until the policy is read), in which every time is shown and typed. */
export const selectPlantZone = (s: PolicySlice): string => s.policy?.timeZone ?? 'UTC';
