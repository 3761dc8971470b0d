/**
 * The changes slice: the change register, the change on screen (its detail view), and every action on a change:
 * file and edit a request, sign a decision, approve its after-snapshot as baseline, restore after a rollback.
 * Each action resolves to its result or the error to show in the form that asked.
 */
import type { StateCreator } from 'zustand';
import type { OperationRequest, OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, errorIn, type Connected, type Result } from './call.ts';
import type { PeopleSlice } from './people-slice.ts';
import type { PlantSlice } from './plant-slice.ts';
import type { PolicySlice } from './policy-slice.ts';

/** The steps of restoring a rolled-back change's before-snapshot. */
export type RestoreStep = 'restore.preview' | 'restore.authorize' | 'restore.run';

/** Change requests: the register and the change on screen. */
export interface ChangesSlice {
  changes: OperationResponse<'changes.list'>['changes'];
  selectedChangeId: string | null;
  changeDetail: OperationResponse<'changes.get'> | null;
  /** Why the register or the change on screen could not load. */
  changesError: ErrorData | null;
  /** Loads the register, with the plant model and policy it is read against. */
  loadChanges(): Promise<void>;
  /** Shows a change (or reloads the one on screen, keeping it shown meanwhile). */
  selectChange(id: string | null): Promise<void>;
  evaluateChange(fields: OperationRequest<'changes.evaluate'>['fields']): Promise<OperationResponse<'changes.evaluate'> | null>;
  /** Files a new draft: its id, or the error to show in the editor. */
  createChange(req: OperationRequest<'changes.create'>): Promise<Result<{ id: string }>>;
  /** Saves edits to a draft (or deferred) request: null when saved, else the error to show in the editor. */
  editChange(req: OperationRequest<'changes.edit'>): Promise<ErrorData | null>;
  /** Signs a decision on a change: null when signed, else the error to show in the signing form. */
  actOnChange(req: OperationRequest<'changes.act'>): Promise<ErrorData | null>;
  /** Approves a completed change's after-snapshot as the controller's new baseline; the error to show, or null. */
  approveChangeBaseline(req: OperationRequest<'changes.approveBaseline'>): Promise<ErrorData | null>;
  /** The restore of a rolled-back change: preview, the supervisor's decision, the confirmed write; the result or the error to show. */
  restoreStep<K extends RestoreStep>(operation: K, req: OperationRequest<K>): Promise<Result<OperationResponse<K>>>;
}

type Needs = Connected & Pick<PeopleSlice, 'loadPeople'> & Pick<PlantSlice, 'plant'> & Pick<PolicySlice, 'policy'>;

/** Creates the slice. */
export const createChangesSlice: StateCreator<ChangesSlice & Needs, [], [], ChangesSlice> = (set, get) => ({
  changes: [],
  selectedChangeId: null,
  changeDetail: null,
  changesError: null,
  async loadChanges() {
    const r = await call(get, (api) =>
      Promise.all([api.invoke('changes.list', {}), api.invoke('plant.get', {}), api.invoke('policy.get', {})]),
    );
    set(
      'error' in r ? { changesError: r.error } : { changes: r.value[0].changes, plant: r.value[1], policy: r.value[2], changesError: null },
    );
  },
  async selectChange(id) {
    // Reloading the change on screen keeps it shown meanwhile, so open forms (a checklist half ticked) keep their input.
    set(get().selectedChangeId === id ? {} : { selectedChangeId: id, changeDetail: null, changesError: null });
    if (!id) return;
    const r = await call(get, (api) => api.invoke('changes.get', { id }));
    // A slow answer for a change no longer on screen is dropped.
    if (get().selectedChangeId !== id) return;
    set('error' in r ? { changesError: r.error } : { changeDetail: r.value });
  },
  async evaluateChange(fields) {
    const r = await call(get, (api) => api.invoke('changes.evaluate', { fields }));
    return 'value' in r ? r.value : null;
  },
  async createChange(req) {
    const r = await call(get, (api) => api.invoke('changes.create', req));
    if ('error' in r) return r;
    await get().loadChanges();
    await get().selectChange(r.value.id);
    return { value: { id: r.value.id } };
  },
  async editChange(req) {
    const r = await call(get, (api) => api.invoke('changes.edit', req));
    if ('error' in r) return r.error;
    await get().loadChanges();
    await get().selectChange(req.id);
    return null;
  },
  async actOnChange(req) {
    const r = await call(get, (api) => api.invoke('changes.act', req));
    if ('error' in r) {
      void get().loadPeople(); // a wrong password may have locked the signer: show it
      return r.error;
    }
    await get().loadChanges();
    await get().selectChange(req.id);
    return null;
  },
  async approveChangeBaseline(req) {
    const r = await call(get, async (api) => {
      await api.invoke('changes.approveBaseline', req);
      await get().selectChange(req.changeId);
    });
    if ('error' in r) void get().loadPeople();
    return errorIn(r);
  },
  async restoreStep(operation, req) {
    const r = await call(get, (api) => api.invoke(operation, req));
    // A restore can take a while: reload the change only if it is still the one on screen.
    if ('value' in r && 'changeId' in req && operation === 'restore.run' && get().selectedChangeId === req.changeId)
      await get().selectChange(req.changeId);
    return r;
  },
});
