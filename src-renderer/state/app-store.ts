/**
 * The renderer's one zustand store, built from slices (zustand docs: slices pattern). Actions live next to
 * their state; derived values are selectors, never stored.
 */
import { create, type StateCreator } from 'zustand';
import type { BaselineApi } from '../../src-shared/common/api/transport.ts';
import type { Connectivity, EventView, OperationResponse } from '../../src-shared/common/api/contract.ts';
import { ApiError } from '../../src-shared/common/api/api-client.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';

/** Renders any failure as the error data the UI shows. */
export function errorOf(err: unknown): ErrorData {
  if (err instanceof ApiError) return err.data;
  return { code: 'client', message: err instanceof Error ? err.message : String(err), hint: 'Reload the page; if it persists, restart Baseline.' };
}

/** Connection to the main process and facts about it. */
export interface SessionSlice {
  api: BaselineApi | null;
  connection: { state: 'connecting' } | { state: 'ready' } | { state: 'failed'; error: ErrorData } | { state: 'lost' };
  info: OperationResponse<'app.info'> | null;
  connectivity: Connectivity | null;
  attach(api: BaselineApi): Promise<void>;
  connectionFailed(error: ErrorData): void;
  connectionLost(): void;
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

/** The whole store. */
export type AppState = SessionSlice & AuditSlice;

const PAGE = 200;

const createSessionSlice: StateCreator<AppState, [], [], SessionSlice> = (set, get) => ({
  api: null,
  connection: { state: 'connecting' },
  info: null,
  connectivity: null,
  async attach(api) {
    set({ api });
    try {
      const [info, connectivity] = await Promise.all([api.invoke('app.info', {}), api.invoke('connectivity.get', {})]);
      set({ info, connectivity, connection: { state: 'ready' } });
      api.on('connectivity.changed', (c) => set({ connectivity: c }));
      api.on('journal.appended', () => void get().loadJournal());
    } catch (err) {
      set({ connection: { state: 'failed', error: errorOf(err) } });
    }
  },
  connectionFailed: (error) => set({ connection: { state: 'failed', error } }),
  connectionLost: () => set({ connection: { state: 'lost' } }),
});

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

/** Creates a store (one per app; tests create their own). */
export function createAppStore() {
  return create<AppState>()((...a) => ({ ...createSessionSlice(...a), ...createAuditSlice(...a) }));
}

/** The app's store. */
export const useAppStore = createAppStore();

/** Selector: the selected event, derived from the list. */
export const selectSelectedEvent = (s: AppState): EventView | null => s.events.find((e) => e.id === s.selectedId) ?? null;

/** Selector: how many loaded events failed verification. */
export const selectFailedCount = (s: AppState): number => s.events.filter((e) => e.verification.state === 'failed').length;
