/** The people slice: enrolled people, the plant CAs, the roles and roster, and the People screen's signed edits. */
import type { StateCreator } from 'zustand';
import type { OperationRequest, OperationResponse, PersonView } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, errorIn, type Connected } from './call.ts';

/** Roster edits and revocations done from the People screen. */
export type PeopleEdit = 'people.importRoster' | 'people.setRosterEntry' | 'people.revoke';

/** People, CAs, roles and the roster. */
export interface PeopleSlice {
  people: PersonView[];
  cas: OperationResponse<'people.list'>['cas'];
  hasLocalCa: boolean;
  /** The plant's roles, the roster's one vocabulary (id and label). */
  roles: OperationResponse<'people.list'>['roles'];
  /** Which roles may approve a baseline, edit the plant model and roster, and authorize a restore. */
  signatureRoles: OperationResponse<'people.list'>['signatureRoles'];
  /** Why the People screen could not load. */
  peopleError: ErrorData | null;
  loadPeople(): Promise<void>;
  /** Creates the plant CA on this laptop: the error to show in its form, or null. */
  createCa(req: OperationRequest<'people.createCa'>): Promise<ErrorData | null>;
  /** Enrols a person: the error to show in the enrolment form, or null. */
  enrol(req: OperationRequest<'people.enrol'>): Promise<ErrorData | null>;
  /** The people roster (who holds which RACI role), as plant engineering keeps it. */
  roster: OperationResponse<'people.list'>['roster'];
  /** The plant's sites (a roster entry may name one). */
  sites: OperationResponse<'people.list'>['sites'];
  /** A signed roster edit or import, or a revocation; resolves to the error to show in its form, or null. */
  editPeople<K extends PeopleEdit>(operation: K, req: OperationRequest<K>): Promise<ErrorData | null>;
}

/** Creates the slice. */
export const createPeopleSlice: StateCreator<PeopleSlice & Connected, [], [], PeopleSlice> = (set, get) => ({
  people: [],
  cas: [],
  hasLocalCa: false,
  roles: [],
  signatureRoles: { baseline: [], plantEngineering: [], restore: [] },
  peopleError: null,
  roster: [],
  sites: [],
  async loadPeople() {
    const r = await call(get, (api) => api.invoke('people.list', {}));
    if ('error' in r) set({ peopleError: r.error });
    else
      set({
        people: r.value.people,
        cas: r.value.cas,
        hasLocalCa: r.value.hasLocalCa,
        roles: r.value.roles,
        signatureRoles: r.value.signatureRoles,
        roster: r.value.roster,
        sites: r.value.sites,
        peopleError: null,
      });
  },
  async createCa(req) {
    const r = await call(get, (api) => api.invoke('people.createCa', req));
    await get().loadPeople();
    return errorIn(r);
  },
  async enrol(req) {
    const r = await call(get, (api) => api.invoke('people.enrol', req));
    await get().loadPeople();
    return errorIn(r);
  },
  async editPeople(operation, req) {
    const r = await call(get, (api) => api.invoke(operation, req));
    await get().loadPeople(); // also after a refusal: a wrong password may have locked the signer
    return errorIn(r);
  },
});
