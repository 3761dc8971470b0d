/**
 * The controllers slice: registered controllers and capture profiles, the selected controller, a capture in
 * progress, the capture document on screen, earlier captures and a comparison of two. Capture profiles are
 * imported, edited and browsed from here too.
 */
import type { StateCreator } from 'zustand';
import type { ControllerView, OperationRequest, OperationResponse, ProfileView } from '../../src-shared/common/api/contract.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, errorIn, type Connected, type Result } from './call.ts';

/** A capture in progress. */
export interface ActiveCapture {
  captureId: string;
  controllerId: string;
  done: number;
  total: number;
  detail: string;
}

/** The Controllers view's data. */
export interface ControllersSlice {
  controllers: ControllerView[];
  profiles: ProfileView[];
  selectedControllerId: string | null;
  /** What the Controllers screen shows went wrong: a load, a capture that could not start, a comparison. */
  controllersError: ErrorData | null;
  activeCapture: ActiveCapture | null;
  captureDoc: CaptureDocument | null;
  loadControllers(): Promise<void>;
  selectController(id: string | null): void;
  /** Imports a capture profile: the profile, or the error to show in the import form. */
  importProfile(req: OperationRequest<'profiles.import'>): Promise<Result<ProfileView>>;
  /** Registers a controller and selects it: the controller, or the error to show in the form. */
  registerController(req: OperationRequest<'controllers.register'>): Promise<Result<ControllerView>>;
  startCapture(controllerId: string): Promise<void>;
  cancelCapture(): Promise<void>;
  loadCaptureDoc(sha256: string): Promise<void>;
  clearControllersError(): void;
  /** Lists a Logix controller's tags: them, or the error to show in the browse form. */
  browseLogix(target: OperationRequest<'controllers.browse'>['target']): Promise<Result<OperationResponse<'controllers.browse'>>>;
  /** A stored profile (for the editor): it, or the error to show in the editor. */
  loadProfile(sha256: string): Promise<Result<OperationResponse<'profiles.get'>>>;
  /** Stores an edited profile as a new version and points the controller at it: the error to show in the editor, or null. */
  saveEditedProfile(controllerId: string, name: string, protocol: 'modbus' | 's7' | 'logix', csv: string): Promise<ErrorData | null>;
  /** Earlier captures of the selected controller (to compare with). */
  history: OperationResponse<'controllers.captures'>['captures'];
  diff: OperationResponse<'captures.diff'> | null;
  loadHistory(controllerId: string): Promise<void>;
  compare(beforeSha256: string, afterSha256: string): Promise<void>;
  clearDiff(): void;
}

/**
 * What selecting a controller resets and loads in the slices of the selected controller (snapshots, baselines)
 * and people; written out rather than imported, as those slices read this one.
 */
interface Needs extends Connected {
  snapshots: unknown[];
  baselines: unknown;
  driftResult: unknown;
  loadSnapshots(controllerId: string): Promise<void>;
  loadBaselines(controllerId: string): Promise<void>;
  loadPeople(): Promise<void>;
}

/** Creates the slice. */
export const createControllersSlice: StateCreator<ControllersSlice & Needs, [], [], ControllersSlice> = (set, get) => ({
  controllers: [],
  profiles: [],
  selectedControllerId: null,
  controllersError: null,
  activeCapture: null,
  captureDoc: null,
  async loadControllers() {
    const r = await call(get, (api) => Promise.all([api.invoke('controllers.list', {}), api.invoke('profiles.list', {})]));
    set('error' in r ? { controllersError: r.error } : { controllers: r.value[0].controllers, profiles: r.value[1].profiles });
  },
  selectController(id) {
    set({ selectedControllerId: id, captureDoc: null, snapshots: [], diff: null, history: [], baselines: null, driftResult: null });
    const last = get().controllers.find((c) => c.id === id)?.lastCapture;
    if (last) void get().loadCaptureDoc(last.captureSha256);
    if (id) {
      void get().loadBaselines(id);
      void get().loadHistory(id);
      void get().loadSnapshots(id);
      void get().loadPeople();
    }
  },
  async importProfile(req) {
    const r = await call(get, (api) => api.invoke('profiles.import', req));
    if ('value' in r) await get().loadControllers();
    return r;
  },
  async registerController(req) {
    const r = await call(get, (api) => api.invoke('controllers.register', req));
    if ('value' in r) {
      await get().loadControllers();
      get().selectController(r.value.id);
    }
    return r;
  },
  async startCapture(controllerId) {
    const total = get().controllers.find((c) => c.id === controllerId)?.profile?.tags ?? 0;
    // Running from the click on: until the capture is under way, the last capture's "Sign as evidence" must not be
    // offered as if it were the new one.
    set({ activeCapture: { captureId: '', controllerId, done: 0, total, detail: 'starting' } });
    const r = await call(get, (api) => api.invoke('capture.start', { controllerId }));
    set(
      'error' in r
        ? { controllersError: r.error, activeCapture: null }
        : { activeCapture: { captureId: r.value.captureId, controllerId, done: 0, total, detail: 'connecting' }, controllersError: null },
    );
  },
  async cancelCapture() {
    const { activeCapture } = get();
    if (!activeCapture || activeCapture.captureId === '') return;
    await call(get, (api) => api.invoke('capture.cancel', { captureId: activeCapture.captureId }));
  },
  async loadCaptureDoc(sha256) {
    const r = await call(get, (api) => api.invoke('captures.get', { captureSha256: sha256 }));
    set('error' in r ? { controllersError: r.error } : { captureDoc: r.value });
  },
  clearControllersError: () => set({ controllersError: null }),
  loadProfile: (sha256) => call(get, (api) => api.invoke('profiles.get', { sha256 })),
  async saveEditedProfile(controllerId, name, protocol, csv) {
    const r = await call(get, async (api) => {
      const p = await api.invoke('profiles.import', { name, protocol, csv });
      await api.invoke('controllers.setProfile', { controllerId, profileSha256: p.sha256 });
    });
    await get().loadControllers();
    return errorIn(r);
  },
  history: [],
  diff: null,
  async loadHistory(controllerId) {
    const r = await call(get, (api) => api.invoke('controllers.captures', { controllerId }));
    set('error' in r ? { controllersError: r.error } : { history: r.value.captures });
  },
  async compare(beforeSha256, afterSha256) {
    const r = await call(get, (api) => api.invoke('captures.diff', { beforeSha256, afterSha256 }));
    set('error' in r ? { controllersError: r.error } : { diff: r.value, controllersError: null });
  },
  clearDiff: () => set({ diff: null }),
  browseLogix: (target) => call(get, (api) => api.invoke('controllers.browse', { target })),
});

/** Selector: the selected controller, derived from the list. */
export const selectSelectedController = (s: ControllersSlice): ControllerView | null =>
  s.controllers.find((c) => c.id === s.selectedControllerId) ?? null;
