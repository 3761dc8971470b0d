/** The baseline slice: the selected controller's baselines, drift checks and unauthorized-change records. */
import type { StateCreator } from 'zustand';
import type { ControllerView, OperationRequest, OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, errorIn, type Connected } from './call.ts';

/** Baselines, drift checks and unauthorized changes of the selected controller. */
export interface BaselineSlice {
  baselines: OperationResponse<'baselines.get'> | null;
  driftResult: OperationResponse<'drift.check'> | null;
  driftRunning: boolean;
  loadBaselines(controllerId: string): Promise<void>;
  /** Each action resolves to the error to show in its form, or null. */
  approveBaseline(req: OperationRequest<'baselines.approve'>): Promise<ErrorData | null>;
  checkDrift(controllerId: string): Promise<ErrorData | null>;
  closeUnauthorized(req: OperationRequest<'unauthorized.close'>, controllerId: string): Promise<ErrorData | null>;
}

/** A drift check captures the controller: the Controllers slice then shows that capture (written out: it reads this slice). */
interface Needs extends Connected {
  controllers: ControllerView[];
  selectedControllerId: string | null;
  loadControllers(): Promise<void>;
  loadCaptureDoc(sha256: string): Promise<void>;
  loadHistory(controllerId: string): Promise<void>;
}

/** Creates the slice. */
export const createBaselineSlice: StateCreator<BaselineSlice & Needs, [], [], BaselineSlice> = (set, get) => ({
  baselines: null,
  driftResult: null,
  driftRunning: false,
  async loadBaselines(controllerId) {
    // Its error shows where the baselines would: the panel's signed forms report theirs.
    const r = await call(get, (api) => api.invoke('baselines.get', { controllerId }));
    if ('value' in r) set({ baselines: r.value });
  },
  async approveBaseline(req) {
    const r = await call(get, (api) => api.invoke('baselines.approve', req));
    await get().loadBaselines(req.controllerId);
    return errorIn(r);
  },
  async checkDrift(controllerId) {
    set({ driftRunning: true, driftResult: null });
    const r = await call(get, (api) => api.invoke('drift.check', { controllerId }));
    set({ driftRunning: false, ...('value' in r ? { driftResult: r.value } : {}) });
    await get().loadBaselines(controllerId);
    // The drift check captured the controller: show that capture.
    await get().loadControllers();
    const last = get().controllers.find((c) => c.id === controllerId)?.lastCapture;
    if (last && get().selectedControllerId === controllerId) {
      void get().loadCaptureDoc(last.captureSha256);
      void get().loadHistory(controllerId);
    }
    return errorIn(r);
  },
  async closeUnauthorized(req, controllerId) {
    const r = await call(get, (api) => api.invoke('unauthorized.close', req));
    await get().loadBaselines(controllerId);
    return errorIn(r);
  },
});
