/** The snapshots slice: the signed snapshots of the selected controller, and signing a capture as a snapshot. */
import type { StateCreator } from 'zustand';
import type { OperationRequest, SnapshotView } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, errorIn, type Connected } from './call.ts';
import type { PeopleSlice } from './people-slice.ts';

/** Signed snapshots of the selected controller. */
export interface SnapshotsSlice {
  snapshots: SnapshotView[];
  loadSnapshots(controllerId: string): Promise<void>;
  /** Signs a capture; resolves to null on success, or the error to show in the signing dialog. */
  signSnapshot(req: OperationRequest<'snapshots.sign'>): Promise<ErrorData | null>;
}

/** The snapshot list shows on the Controllers screen, so its load error shows there (written out: that slice reads this one). */
interface Needs extends Connected, Pick<PeopleSlice, 'loadPeople'> {
  controllersError: ErrorData | null;
}

/** Creates the slice. */
export const createSnapshotsSlice: StateCreator<SnapshotsSlice & Needs, [], [], SnapshotsSlice> = (set, get) => {
  // Loads overlap (a journal refresh and the reload after a signature): only the last one asked may set the list, so
  // an answer read before a signature cannot arrive late and hide the new snapshot.
  let lastLoad = 0;
  return {
    snapshots: [],
    async loadSnapshots(controllerId) {
      const mine = ++lastLoad;
      const r = await call(get, (api) => api.invoke('snapshots.list', { controllerId }));
      if (mine !== lastLoad) return;
      set('error' in r ? { controllersError: r.error } : { snapshots: r.value.snapshots });
    },
    async signSnapshot(req) {
      const r = await call(get, async (api) => {
        await api.invoke('snapshots.sign', req);
        await get().loadSnapshots(req.controllerId);
      });
      if ('error' in r) void get().loadPeople(); // a wrong password may have locked the signer: show it
      return errorIn(r);
    },
  };
};
