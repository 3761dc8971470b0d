/** The setup slice: the first-run checklist ("Set up my plant"), the demo plant and its people. */
import type { StateCreator } from 'zustand';
import type { OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, type Connected, type Result } from './call.ts';

/** The setup checklist and the demo. */
export interface SetupSlice {
  setup: OperationResponse<'setup.status'> | null;
  /** Why the Get started screen could not load, or the demo could not be built. */
  setupError: ErrorData | null;
  demoPeople: OperationResponse<'demo.people'> | null;
  /** True while the host builds the demo plant. */
  exploring: boolean;
  loadSetup(): Promise<void>;
  loadDemoPeople(): Promise<void>;
  /** Asks the host for a throw-away demo plant, then reloads the page on it. */
  exploreDemo(): Promise<void>;
  /** Demo only: the change's proposed values set on its simulated controller; what was done, or the error. */
  applyProposedOnSimulator(changeId: string): Promise<Result<string>>;
}

/** Creates the slice. */
export const createSetupSlice: StateCreator<SetupSlice & Connected, [], [], SetupSlice> = (set, get) => ({
  setup: null,
  setupError: null,
  demoPeople: null,
  exploring: false,
  async loadSetup() {
    const r = await call(get, (api) => api.invoke('setup.status', {}));
    set('error' in r ? { setupError: r.error } : { setup: r.value, setupError: null });
  },
  async loadDemoPeople() {
    const r = await call(get, (api) => api.invoke('demo.people', {}));
    set('error' in r ? { setupError: r.error } : { demoPeople: r.value });
  },
  async exploreDemo() {
    set({ exploring: true, setupError: null });
    const r = await call(get, (api) => api.invoke('demo.explore', {}));
    // The host now serves the demo plant at the same address: start afresh on it.
    if ('value' in r) window.location.reload();
    else set({ exploring: false, setupError: r.error });
  },
  async applyProposedOnSimulator(changeId) {
    const r = await call(get, (api) => api.invoke('demo.applyProposed', { changeId }));
    return 'error' in r ? r : { value: `${r.value.tags.join(', ')} set on the simulated ${r.value.controller}.` };
  },
});
