/**
 * The renderer's one zustand store, built from slices (zustand docs: slices pattern). Actions live next to
 * their state; derived values are selectors, never stored.
 */
import { create, type StateCreator } from 'zustand';
import type { BaselineApi } from '../../src-shared/common/api/transport.ts';
import type { Connectivity, ControllerView, EventView, OperationRequest, OperationResponse, PersonView, ProfileView, SnapshotView } from '../../src-shared/common/api/contract.ts';
import type { CaptureDocument } from '../../src-shared/common/capture/capture-document.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { errorOf } from './error-of.ts';
import { createKpiSlice, type KpiSlice } from './kpi-slice.ts';
import { createChangeCaptureSlice, type ChangeCaptureSlice } from './change-capture-slice.ts';

export { errorOf };

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

/** The Audit view's data. */
export interface AuditSlice {
  events: EventView[];
  total: number;
  nextBeforeRowid: number | null;
  loading: boolean;
  auditError: ErrorData | null;
  verifying: boolean;
  lastVerify: OperationResponse<'journal.verify'> | null;
  selectedId: string | null;
  loadJournal(): Promise<void>;
  loadOlder(): Promise<void>;
  verifyJournal(): Promise<void>;
  select(id: string | null): void;
}

/** Which screen is shown. */
export interface NavSlice {
  view: 'home' | 'controllers' | 'changes' | 'windows' | 'plant' | 'people' | 'kpis' | 'audit';
  /** True once the user has opened a screen (the first screen chosen at connection then leaves it be). */
  navigated: boolean;
  go(view: NavSlice['view']): void;
}

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
  controllersError: ErrorData | null;
  activeCapture: ActiveCapture | null;
  captureDoc: CaptureDocument | null;
  loadControllers(): Promise<void>;
  selectController(id: string | null): void;
  importProfile(req: OperationRequest<'profiles.import'>): Promise<ProfileView | null>;
  registerController(req: OperationRequest<'controllers.register'>): Promise<ControllerView | null>;
  startCapture(controllerId: string): Promise<void>;
  cancelCapture(): Promise<void>;
  loadCaptureDoc(sha256: string): Promise<void>;
  clearControllersError(): void;
  browseLogix(target: OperationRequest<'controllers.browse'>['target']): Promise<OperationResponse<'controllers.browse'> | null>;
  loadProfile(sha256: string): Promise<OperationResponse<'profiles.get'> | null>;
  /** Stores an edited profile as a new version and points the controller at it. */
  saveEditedProfile(controllerId: string, name: string, protocol: 'modbus' | 's7' | 'logix', csv: string): Promise<boolean>;
  /** Earlier captures of the selected controller (to compare with). */
  history: OperationResponse<'controllers.captures'>['captures'];
  diff: OperationResponse<'captures.diff'> | null;
  loadHistory(controllerId: string): Promise<void>;
  compare(beforeSha256: string, afterSha256: string): Promise<void>;
  clearDiff(): void;
}

/** People, CAs and signed snapshots. */
export interface PeopleSlice {
  people: PersonView[];
  cas: OperationResponse<'people.list'>['cas'];
  hasLocalCa: boolean;
  /** The plant's roles, the roster's one vocabulary (id and label). */
  roles: OperationResponse<'people.list'>['roles'];
  /** Which roles may approve a baseline, edit the plant model and roster, and authorize a restore. */
  signatureRoles: OperationResponse<'people.list'>['signatureRoles'];
  peopleError: ErrorData | null;
  snapshots: SnapshotView[];
  loadPeople(): Promise<void>;
  createCa(req: OperationRequest<'people.createCa'>): Promise<boolean>;
  enrol(req: OperationRequest<'people.enrol'>): Promise<boolean>;
  /** The people roster (who holds which RACI role), as plant engineering keeps it. */
  roster: OperationResponse<'people.list'>['roster'];
  /** The plant's sites (a roster entry may name one). */
  sites: OperationResponse<'people.list'>['sites'];
  /** A signed roster edit or import, or a revocation; resolves to the error to show in its form, or null. */
  editPeople<K extends PeopleEdit>(operation: K, req: OperationRequest<K>): Promise<ErrorData | null>;
  loadSnapshots(controllerId: string): Promise<void>;
  /** Signs a capture; resolves to null on success, or the error to show in the signing dialog. */
  signSnapshot(req: OperationRequest<'snapshots.sign'>): Promise<ErrorData | null>;
}

/** Baselines, drift checks and unauthorized changes of the selected controller. */
export interface BaselineSlice {
  baselines: OperationResponse<'baselines.get'> | null;
  driftResult: OperationResponse<'drift.check'> | null;
  driftRunning: boolean;
  loadBaselines(controllerId: string): Promise<void>;
  approveBaseline(req: OperationRequest<'baselines.approve'>): Promise<ErrorData | null>;
  checkDrift(controllerId: string): Promise<ErrorData | null>;
  closeUnauthorized(req: OperationRequest<'unauthorized.close'>, controllerId: string): Promise<ErrorData | null>;
}

/** Roster edits and revocations done from the People screen. */
export type PeopleEdit = 'people.importRoster' | 'people.setRosterEntry' | 'people.revoke';

/** The steps of restoring a rolled-back change's before-snapshot. */
export type RestoreStep = 'restore.preview' | 'restore.authorize' | 'restore.run';

/** The signed plant-model edits. */
export type PlantEdit = 'plant.import' | 'plant.setSite' | 'plant.setLine' | 'plant.removeLine' | 'controllers.assignLine' | 'controllers.setSafety';

/** Change requests, the plant's lines and the windows calendar. */
export interface ChangesSlice {
  changes: OperationResponse<'changes.list'>['changes'];
  plant: OperationResponse<'plant.get'> | null;
  /** The policy in force (name, revision, who adopted it). */
  policy: OperationResponse<'policy.get'> | null;
  adoptPolicy(req: OperationRequest<'policy.adopt'>): Promise<ErrorData | null>;
  selectedChangeId: string | null;
  changeDetail: OperationResponse<'changes.get'> | null;
  calendar: OperationResponse<'windows.calendar'> | null;
  /** The period the calendar shows (reloaded when the journal says something changed). */
  calendarFrom: { from: string; days: number } | null;
  changesError: ErrorData | null;
  loadChanges(): Promise<void>;
  selectChange(id: string | null): Promise<void>;
  evaluateChange(fields: OperationRequest<'changes.evaluate'>['fields']): Promise<OperationResponse<'changes.evaluate'> | null>;
  /** Files a new draft: its id, or the error to show in the editor. */
  createChange(req: OperationRequest<'changes.create'>): Promise<{ id: string } | { error: ErrorData }>;
  /** Saves edits to a draft (or deferred) request: null when saved, else the error to show in the editor. */
  editChange(req: OperationRequest<'changes.edit'>): Promise<ErrorData | null>;
  actOnChange(req: OperationRequest<'changes.act'>): Promise<ErrorData | null>;
  loadCalendar(from: Date, days: number): Promise<void>;
  /** Approves a completed change's after-snapshot as the controller's new baseline; the error to show, or null. */
  approveChangeBaseline(req: OperationRequest<'changes.approveBaseline'>): Promise<ErrorData | null>;
  /** The restore of a rolled-back change: preview, the supervisor's decision, the confirmed write; the result or the error to show. */
  restoreStep<K extends RestoreStep>(operation: K, req: OperationRequest<K>): Promise<{ value: OperationResponse<K> } | { error: ErrorData }>;
  /** A signed plant-model edit: import a plant file, or set a site or a line, or remove a line. */
  editPlant<K extends PlantEdit>(operation: K, req: OperationRequest<K>): Promise<ErrorData | null>;
  requestedWindows: OperationResponse<'changes.windows'>['windows'];
  loadRequestedWindows(): Promise<void>;
}

/** The whole store. */
export type AppState = SessionSlice & AuditSlice & NavSlice & ControllersSlice & PeopleSlice & BaselineSlice & ChangesSlice & SetupSlice & KpiSlice & ChangeCaptureSlice;

const PAGE = 200;

type ErrorKey = 'controllersError' | 'peopleError' | 'changesError';

/**
 * Runs a screen's action: its result; or null, with the screen's error panel showing why (also null before the
 * API is connected).
 */
async function runShowingError<T>(get: () => AppState, set: (patch: Partial<AppState>) => void, key: ErrorKey, fn: (api: BaselineApi) => Promise<T>): Promise<T | null> {
  const api = get().api;
  if (!api) return null;
  // Cleared first, so an error of the reload inside `fn` stays on screen.
  set({ [key]: null });
  try {
    return await fn(api);
  } catch (err) {
    set({ [key]: errorOf(err) });
    return null;
  }
}

/** A part of the screens that journal events can make stale. */
export type ScreenPart = 'changes' | 'change' | 'controllers' | 'controller' | 'people' | 'plant' | 'windows' | 'audit';

/** What a journal event type touches on screen (the change register, the change on screen, the controller on screen, ...). */
export function touchedBy(type: string): Set<ScreenPart> {
  const parts: ScreenPart[] = ['audit'];
  if (type === 'change.updated') parts.push('changes', 'change', 'windows');
  if (type.startsWith('restore.')) parts.push('change', 'controller');
  if (type === 'snapshot.captured' || type === 'baseline.approved' || type === 'drift.checked' || type.startsWith('unauthorized-change.') || type === 'capture.recorded') {
    parts.push('controllers', 'controller', 'change');
  }
  if (type.startsWith('person.') || type.startsWith('people.') || type === 'certificate.revoked' || type === 'ca.trusted') parts.push('people', 'change');
  if (type.startsWith('plant.') || type.startsWith('controller.') || type === 'policy.adopted' || type === 'profile.imported') parts.push('plant', 'controllers', 'changes', 'change', 'windows');
  return new Set(parts);
}

/**
 * Collects journal events for a moment (a restore or an import appends several at once) and then reloads, once,
 * what they touch and what is on screen.
 */
function journalRefresher(get: () => AppState): { note(type: string): void } {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  function flush(): void {
    timer = null;
    const touched = new Set([...pending].flatMap((type) => [...touchedBy(type)]));
    pending.clear();
    const st = get();
    if (touched.has('audit') && st.view === 'audit') void st.loadJournal();
    if (st.view === 'home') void st.loadSetup();
    if (touched.has('controllers') || touched.has('plant')) void st.loadControllers();
    if (touched.has('controller') && st.selectedControllerId) {
      void st.loadSnapshots(st.selectedControllerId);
      void st.loadBaselines(st.selectedControllerId);
      void st.loadHistory(st.selectedControllerId);
    }
    if (touched.has('changes') || touched.has('plant')) void st.loadChanges();
    if (touched.has('change') && st.selectedChangeId) void st.selectChange(st.selectedChangeId);
    if (touched.has('people')) void st.loadPeople();
    if (touched.has('windows') && st.view === 'windows') {
      void st.loadRequestedWindows();
      if (st.calendarFrom) void st.loadCalendar(new Date(st.calendarFrom.from), st.calendarFrom.days);
    }
  }
  return {
    note(type) {
      pending.add(type);
      timer ??= setTimeout(flush, 120);
    },
  };
}

const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => {
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
        api.invoke('policy.get', {}).then((policy) => set({ policy }), () => undefined);
        api.on('connectivity.changed', (c) => set({ connectivity: c }));
        // Every recorded change of state is a journal event, pushed to every window: each screen reloads what the
        // event touches, so what one screen (or another window) records shows everywhere without a reload.
        api.on('journal.appended', (e) => journalRefresh.note(e.type));
        api.on('capture.progress', (p) => set({ activeCapture: { ...p } }));
        api.on('capture.finished', (f) => {
          // The capture document itself says what failed (shown with the values); no separate banner.
          set({ activeCapture: null });
          void get().loadControllers().then(() => {
            if (f.captureSha256 && get().selectedControllerId === f.controllerId) {
              void get().loadCaptureDoc(f.captureSha256);
              void get().loadHistory(f.controllerId);
            }
          });
        });
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

const createAuditSlice: StateCreator<AppState, [], [], AuditSlice> = (set, get) => ({
  events: [],
  total: 0,
  nextBeforeRowid: null,
  loading: false,
  auditError: null,
  verifying: false,
  lastVerify: null,
  selectedId: null,
  async loadJournal() {
    const api = get().api;
    if (!api) return;
    set({ loading: true });
    try {
      const page = await api.invoke('journal.list', { limit: PAGE });
      set({ events: page.events, total: page.total, nextBeforeRowid: page.nextBeforeRowid, auditError: null });
    } catch (err) {
      set({ auditError: errorOf(err) });
    } finally {
      set({ loading: false });
    }
  },
  async loadOlder() {
    const { api, nextBeforeRowid } = get();
    if (!api || nextBeforeRowid === null) return;
    set({ loading: true });
    try {
      const page = await api.invoke('journal.list', { limit: PAGE, beforeRowid: nextBeforeRowid });
      set((s) => ({ events: [...s.events, ...page.events], total: page.total, nextBeforeRowid: page.nextBeforeRowid, auditError: null }));
    } catch (err) {
      set({ auditError: errorOf(err) });
    } finally {
      set({ loading: false });
    }
  },
  async verifyJournal() {
    const api = get().api;
    if (!api) return;
    set({ verifying: true });
    try {
      set({ lastVerify: await api.invoke('journal.verify', {}), auditError: null });
    } catch (err) {
      set({ auditError: errorOf(err) });
    } finally {
      set({ verifying: false });
    }
  },
  select: (id) => set({ selectedId: id }),
});

const createNavSlice: StateCreator<AppState, [], [], NavSlice> = (set, get) => ({
  view: 'controllers',
  navigated: false,
  go(view) {
    set({ view, navigated: true });
    if (view === 'home') void get().loadSetup();
    else if (view === 'audit') void get().loadJournal();
    else if (view === 'people') void get().loadPeople();
    else if (view === 'changes') {
      void get().loadChanges();
      void get().loadPeople();
      void get().loadControllers();
    } else if (view === 'plant') {
      void get().loadChanges();
      void get().loadControllers();
      void get().loadPeople();
    } else if (view === 'kpis') {
      void get().loadKpis();
      void get().loadChanges();
    } else if (view === 'windows') {
      void get().loadChanges();
      void get().loadCalendar(new Date(), 7);
    } else void get().loadControllers();
  },
});

const createControllersSlice: StateCreator<AppState, [], [], ControllersSlice> = (set, get) => ({
  controllers: [],
  profiles: [],
  selectedControllerId: null,
  controllersError: null,
  activeCapture: null,
  captureDoc: null,
  async loadControllers() {
    const api = get().api;
    if (!api) return;
    try {
      const [c, p] = await Promise.all([api.invoke('controllers.list', {}), api.invoke('profiles.list', {})]);
      set({ controllers: c.controllers, profiles: p.profiles });
    } catch (err) {
      set({ controllersError: errorOf(err) });
    }
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
  importProfile(req) {
    return runShowingError(get, set, 'controllersError', async (api) => {
      const profile = await api.invoke('profiles.import', req);
      await get().loadControllers();
      return profile;
    });
  },
  registerController(req) {
    return runShowingError(get, set, 'controllersError', async (api) => {
      const c = await api.invoke('controllers.register', req);
      await get().loadControllers();
      get().selectController(c.id);
      return c;
    });
  },
  async startCapture(controllerId) {
    const api = get().api;
    if (!api) return;
    try {
      const total = get().controllers.find((c) => c.id === controllerId)?.profile?.tags ?? 0;
      const { captureId } = await api.invoke('capture.start', { controllerId });
      set({ activeCapture: { captureId, controllerId, done: 0, total, detail: 'connecting' }, controllersError: null });
    } catch (err) {
      set({ controllersError: errorOf(err) });
    }
  },
  async cancelCapture() {
    const { api, activeCapture } = get();
    if (!api || !activeCapture) return;
    await api.invoke('capture.cancel', { captureId: activeCapture.captureId });
  },
  async loadCaptureDoc(sha256) {
    const api = get().api;
    if (!api) return;
    try {
      set({ captureDoc: await api.invoke('captures.get', { captureSha256: sha256 }) });
    } catch (err) {
      set({ controllersError: errorOf(err) });
    }
  },
  clearControllersError: () => set({ controllersError: null }),
  async loadProfile(sha256) {
    const api = get().api;
    if (!api) return null;
    try {
      return await api.invoke('profiles.get', { sha256 });
    } catch (err) {
      set({ controllersError: errorOf(err) });
      return null;
    }
  },
  async saveEditedProfile(controllerId, name, protocol, csv) {
    return (await runShowingError(get, set, 'controllersError', async (api) => {
      const p = await api.invoke('profiles.import', { name, protocol, csv });
      await api.invoke('controllers.setProfile', { controllerId, profileSha256: p.sha256 });
      await get().loadControllers();
      return true;
    })) === true;
  },
  history: [],
  diff: null,
  async loadHistory(controllerId) {
    const api = get().api;
    if (!api) return;
    try {
      set({ history: (await api.invoke('controllers.captures', { controllerId })).captures });
    } catch (err) {
      set({ controllersError: errorOf(err) });
    }
  },
  async compare(beforeSha256, afterSha256) {
    const api = get().api;
    if (!api) return;
    try {
      set({ diff: await api.invoke('captures.diff', { beforeSha256, afterSha256 }), controllersError: null });
    } catch (err) {
      set({ controllersError: errorOf(err) });
    }
  },
  clearDiff: () => set({ diff: null }),
  async browseLogix(target) {
    const api = get().api;
    if (!api) return null;
    try {
      const r = await api.invoke('controllers.browse', { target });
      set({ controllersError: null });
      return r;
    } catch (err) {
      set({ controllersError: errorOf(err) });
      return null;
    }
  },
});

const createPeopleSlice: StateCreator<AppState, [], [], PeopleSlice> = (set, get) => ({
  people: [],
  cas: [],
  hasLocalCa: false,
  roles: [],
  signatureRoles: { baseline: [], plantEngineering: [], restore: [] },
  peopleError: null,
  snapshots: [],
  async loadPeople() {
    const api = get().api;
    if (!api) return;
    try {
      const r = await api.invoke('people.list', {});
      set({ people: r.people, cas: r.cas, hasLocalCa: r.hasLocalCa, roles: r.roles, signatureRoles: r.signatureRoles, roster: r.roster, sites: r.sites });
    } catch (err) {
      set({ peopleError: errorOf(err) });
    }
  },
  async createCa(req) {
    return (await runShowingError(get, set, 'peopleError', async (api) => {
      await api.invoke('people.createCa', req);
      await get().loadPeople();
      return true;
    })) === true;
  },
  async enrol(req) {
    return (await runShowingError(get, set, 'peopleError', async (api) => {
      await api.invoke('people.enrol', req);
      await get().loadPeople();
      return true;
    })) === true;
  },
  roster: [],
  sites: [],
  async editPeople(operation, req) {
    const err = await attemptWith(get, async (api) => {
      await api.invoke(operation, req);
    });
    await get().loadPeople(); // also after a refusal: a wrong password may have locked the signer
    return err;
  },
  async loadSnapshots(controllerId) {
    const api = get().api;
    if (!api) return;
    try {
      set({ snapshots: (await api.invoke('snapshots.list', { controllerId })).snapshots });
    } catch (err) {
      set({ controllersError: errorOf(err) });
    }
  },
  async signSnapshot(req) {
    const err = await attemptWith(get, async (api) => {
      await api.invoke('snapshots.sign', req);
      await get().loadSnapshots(req.controllerId);
    });
    if (err) void get().loadPeople();
    return err;
  },
});

/** Runs API calls; their error for the form that asked (null when they worked, or before the API is connected). */
async function attemptWith(get: () => AppState, fn: (api: BaselineApi) => Promise<void>): Promise<ErrorData | null> {
  const api = get().api;
  if (!api) return null;
  try {
    await fn(api);
    return null;
  } catch (err) {
    return errorOf(err);
  }
}

const createBaselineSlice: StateCreator<AppState, [], [], BaselineSlice> = (set, get) => {
  const attempt = (fn: (api: BaselineApi) => Promise<void>): Promise<ErrorData | null> => attemptWith(get, fn);
  return {
    baselines: null,
    driftResult: null,
    driftRunning: false,
    async loadBaselines(controllerId) {
      await attempt(async (api) => set({ baselines: await api.invoke('baselines.get', { controllerId }) }));
    },
    approveBaseline: (req) => attempt(async (api) => {
      await api.invoke('baselines.approve', req);
      await get().loadBaselines(req.controllerId);
    }),
    async checkDrift(controllerId) {
      set({ driftRunning: true, driftResult: null });
      const err = await attempt(async (api) => set({ driftResult: await api.invoke('drift.check', { controllerId }) }));
      set({ driftRunning: false });
      await get().loadBaselines(controllerId);
      // The drift check captured the controller: show that capture.
      await get().loadControllers();
      const last = get().controllers.find((c) => c.id === controllerId)?.lastCapture;
      if (last && get().selectedControllerId === controllerId) {
        void get().loadCaptureDoc(last.captureSha256);
        void get().loadHistory(controllerId);
      }
      return err;
    },
    closeUnauthorized: (req, controllerId) => attempt(async (api) => {
      await api.invoke('unauthorized.close', req);
      await get().loadBaselines(controllerId);
    }),
  };
};

const createChangesSlice: StateCreator<AppState, [], [], ChangesSlice> = (set, get) => ({
  changes: [],
  plant: null,
  policy: null,
  selectedChangeId: null,
  changeDetail: null,
  calendar: null,
  calendarFrom: null,
  changesError: null,
  async loadChanges() {
    const api = get().api;
    if (!api) return;
    try {
      const [c, p, policy] = await Promise.all([api.invoke('changes.list', {}), api.invoke('plant.get', {}), api.invoke('policy.get', {})]);
      set({ changes: c.changes, plant: p, policy, changesError: null });
    } catch (err) {
      set({ changesError: errorOf(err) });
    }
  },
  async selectChange(id) {
    // Reloading the change on screen keeps it shown meanwhile, so open forms (a checklist half ticked) keep their input.
    set(get().selectedChangeId === id ? {} : { selectedChangeId: id, changeDetail: null, changesError: null });
    const api = get().api;
    if (!api || !id) return;
    try {
      set({ changeDetail: await api.invoke('changes.get', { id }) });
    } catch (err) {
      set({ changesError: errorOf(err) });
    }
  },
  async evaluateChange(fields) {
    const api = get().api;
    if (!api) return null;
    try {
      return await api.invoke('changes.evaluate', { fields });
    } catch {
      return null;
    }
  },
  async createChange(req) {
    let id = '';
    const error = await attemptWith(get, async (api) => {
      id = (await api.invoke('changes.create', req)).id;
    });
    if (error) return { error };
    await get().loadChanges();
    await get().selectChange(id);
    return { id };
  },
  async editChange(req) {
    const error = await attemptWith(get, async (api) => {
      await api.invoke('changes.edit', req);
    });
    if (error) return error;
    await get().loadChanges();
    await get().selectChange(req.id);
    return null;
  },
  async actOnChange(req) {
    const err = await attemptWith(get, async (api) => {
      await api.invoke('changes.act', req);
      await get().loadChanges();
      await get().selectChange(req.id);
    });
    if (err) void get().loadPeople(); // a wrong password may have locked the signer: show it
    return err;
  },
  async adoptPolicy(req) {
    const err = await attemptWith(get, async (api) => {
      await api.invoke('policy.adopt', req);
      await get().loadChanges();
    });
    if (err) void get().loadPeople();
    return err;
  },
  async approveChangeBaseline(req) {
    const err = await attemptWith(get, async (api) => {
      await api.invoke('changes.approveBaseline', req);
      await get().selectChange(req.changeId);
    });
    if (err) void get().loadPeople();
    return err;
  },
  async restoreStep(operation, req) {
    let value: OperationResponse<typeof operation> | undefined;
    const err = await attemptWith(get, async (api) => {
      value = await api.invoke(operation, req);
    });
    if (err || value === undefined) return { error: err ?? { code: 'offline', message: 'The app is not connected.', hint: 'Reload the page.' } };
    // A restore can take a while: reload the change only if it is still the one on screen.
    if ('changeId' in req && operation === 'restore.run' && get().selectedChangeId === req.changeId) await get().selectChange(req.changeId);
    return { value };
  },
  async editPlant(operation, req) {
    const err = await attemptWith(get, async (api) => {
      await api.invoke(operation, req);
      await get().loadChanges();
    });
    if (err) void get().loadPeople(); // a wrong password may have locked the signer: show it
    return err;
  },
  requestedWindows: [],
  async loadRequestedWindows() {
    const api = get().api;
    if (!api) return;
    try {
      set({ requestedWindows: (await api.invoke('changes.windows', {})).windows });
    } catch (err) {
      set({ changesError: errorOf(err) });
    }
  },
  async loadCalendar(from, days) {
    const api = get().api;
    if (!api) return;
    try {
      set({ calendarFrom: { from: from.toISOString(), days }, calendar: await api.invoke('windows.calendar', { from: from.toISOString(), days }) });
    } catch (err) {
      set({ changesError: errorOf(err) });
    }
  },
});

/** The setup checklist and the demo. */
export interface SetupSlice {
  setup: OperationResponse<'setup.status'> | null;
  setupError: ErrorData | null;
  demoPeople: OperationResponse<'demo.people'> | null;
  /** True while the host builds the demo plant. */
  exploring: boolean;
  loadSetup(): Promise<void>;
  loadDemoPeople(): Promise<void>;
  /** Asks the host for a throw-away demo plant, then reloads the page on it. */
  exploreDemo(): Promise<void>;
  /** Demo only: the change's proposed values set on its simulated controller; what was done, or the error. */
  applyProposedOnSimulator(changeId: string): Promise<{ done: string } | { error: ErrorData }>;
}

/** Creates the slice. */
const createSetupSlice: StateCreator<AppState, [], [], SetupSlice> = (set, get) => ({
  setup: null,
  setupError: null,
  demoPeople: null,
  exploring: false,
  async loadSetup() {
    const api = get().api;
    if (!api) return;
    try {
      set({ setup: await api.invoke('setup.status', {}), setupError: null });
    } catch (err) {
      set({ setupError: errorOf(err) });
    }
  },
  async loadDemoPeople() {
    const api = get().api;
    if (!api) return;
    try {
      set({ demoPeople: await api.invoke('demo.people', {}) });
    } catch (err) {
      set({ setupError: errorOf(err) });
    }
  },
  async exploreDemo() {
    const api = get().api;
    if (!api) return;
    set({ exploring: true, setupError: null });
    try {
      await api.invoke('demo.explore', {});
      // The host now serves the demo plant at the same address: start afresh on it.
      window.location.reload();
    } catch (err) {
      set({ exploring: false, setupError: errorOf(err) });
    }
  },
  async applyProposedOnSimulator(changeId) {
    const api = get().api;
    if (!api) return { error: { code: 'offline', message: 'The app is not connected.', hint: 'Reload the page.' } };
    try {
      const r = await api.invoke('demo.applyProposed', { changeId });
      return { done: `${r.tags.join(', ')} set on the simulated ${r.controller}.` };
    } catch (err) {
      return { error: errorOf(err) };
    }
  },
});

/** Creates a store (one per app; tests create their own). */
export function createAppStore() {
  return create<AppState>()((...a) => ({
    ...createSessionSlice(...a), ...createAuditSlice(...a), ...createNavSlice(...a), ...createControllersSlice(...a), ...createPeopleSlice(...a),
    ...createBaselineSlice(...a), ...createChangesSlice(...a), ...createSetupSlice(...a), ...createKpiSlice<AppState>(errorOf)(...a), ...createChangeCaptureSlice<AppState>(errorOf)(...a),
  }));
}

/** Selector: the selected controller, derived from the list. */
export const selectSelectedController = (s: AppState): ControllerView | null => s.controllers.find((c) => c.id === s.selectedControllerId) ?? null;

/** The app's store. */
export const useAppStore = createAppStore();

/** Selector: the selected event, derived from the list. */
export const selectSelectedEvent = (s: AppState): EventView | null => s.events.find((e) => e.id === s.selectedId) ?? null;

/** Selector: how many loaded events failed verification. */
export const selectFailedCount = (s: AppState): number => s.events.filter((e) => e.verification.state === 'failed').length;
