/**
 * The session slice: the connection to the main process, the facts about it (app info, connectivity), and the
 * subscriptions to what the main process pushes (journal events, capture progress). It opens the first screen.
 */
import type { StateCreator } from 'zustand';
import type { BaselineApi } from '../../src-shared/common/api/transport.ts';
import type { Connectivity, OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { errorOf } from './error-of.ts';
import { journalRefresher, type RefreshTargets } from './journal-refresher.ts';
import type { NavSlice } from './nav-slice.ts';
import type { ControllersSlice } from './controllers-slice.ts';
import type { PolicySlice } from './policy-slice.ts';
import type { SetupSlice } from './setup-slice.ts';

/** Connection to the main process and facts about it. */
export interface SessionSlice {
  api: BaselineApi | null;
  connection: { state: 'connecting' } | { state: 'ready' } | { state: 'failed'; error: ErrorData } | { state: 'lost'; error: ErrorData };
  info: OperationResponse<'app.info'> | null;
  connectivity: Connectivity | null;
  attach(api: BaselineApi): Promise<void>;
  connectionFailed(error: ErrorData): void;
  connectionLost(error: ErrorData): void;
}

type Needs = RefreshTargets &
  Pick<NavSlice, 'navigated' | 'go' | 'view'> &
  Pick<ControllersSlice, 'activeCapture' | 'loadControllers' | 'selectedControllerId' | 'loadCaptureDoc' | 'loadHistory'> &
  Pick<PolicySlice, 'policy'> &
  Pick<SetupSlice, 'setup' | 'loadSetup' | 'loadDemoPeople'>;

/** Creates the slice. */
export const createSessionSlice: StateCreator<SessionSlice & Needs, [], [], SessionSlice> = (set, get) => {
  const journalRefresh = journalRefresher(get);
  return {
    api: null,
    connection: { state: 'connecting' },
    info: null,
    connectivity: null,
    async attach(api) {
      set({ api });
      try {
        const [info, connectivity] = await Promise.all([api.invoke('app.info', {}), api.invoke('connectivity.get', {})]);
        set({ info, connectivity, connection: { state: 'ready' } });
        // The policy gives the plant's time zone. It is read from the verified journal, so a store whose tables
        // differ from its journal refuses it: the app still opens (the Audit trail shows what is wrong) in UTC.
        api.invoke('policy.get', {}).then(
          (policy) => set({ policy }),
          () => undefined,
        );
        api.on('connectivity.changed', (c) => set({ connectivity: c }));
        // Every recorded change of state is a journal event, pushed to every window: each screen reloads what the
        // event touches, so what one screen (or another window) records shows everywhere without a reload.
        api.on('journal.appended', (e) => journalRefresh.note(e.type));
        api.on('capture.progress', (p) => set({ activeCapture: { ...p } }));
        api.on('capture.finished', (f) => {
          // The capture document itself says what failed (shown with the values); no separate banner. The capture
          // counts as running until the new capture and its values are on screen, so that "Sign as evidence" never
          // offers the capture before it as the one just taken.
          void get()
            .loadControllers()
            .then(async () => {
              if (f.captureSha256 && get().selectedControllerId === f.controllerId) {
                void get().loadHistory(f.controllerId);
                await get().loadCaptureDoc(f.captureSha256);
              }
            })
            .finally(() => set({ activeCapture: null }));
        });
        // A screen the user opened while the app was connecting asked for its data before there was a connection
        // (each load answered "not connected yet"): it loads now.
        if (get().navigated) get().go(get().view);
        // The first screen: a demo opens on its change register; an empty data directory on "Get started".
        // A screen the user opened meanwhile stays open.
        if (info.demo) {
          void get().loadDemoPeople();
          void get().loadControllers();
          if (!get().navigated) get().go('changes');
        } else {
          void get().loadControllers();
          await get().loadSetup();
          if (!get().navigated && get().setup?.steps.every((step) => !step.done)) set({ view: 'home' });
        }
      } catch (err) {
        set({ connection: { state: 'failed', error: errorOf(err) } });
      }
    },
    connectionFailed: (error) => set({ connection: { state: 'failed', error } }),
    connectionLost: (error) => set({ connection: { state: 'lost', error } }),
  };
};
