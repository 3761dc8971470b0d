/** The audit slice: the Audit trail's page of journal events, paging back, the selected event and chain verification. */
import type { StateCreator } from 'zustand';
import type { EventView, OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, type Connected } from './call.ts';

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

/** Events per page of the Audit trail. */
const PAGE = 200;

/** Creates the slice. */
export const createAuditSlice: StateCreator<AuditSlice & Connected, [], [], AuditSlice> = (set, get) => ({
  events: [],
  total: 0,
  nextBeforeRowid: null,
  loading: false,
  auditError: null,
  verifying: false,
  lastVerify: null,
  selectedId: null,
  async loadJournal() {
    set({ loading: true });
    const r = await call(get, (api) => api.invoke('journal.list', { limit: PAGE }));
    set(
      'error' in r
        ? { auditError: r.error, loading: false }
        : { events: r.value.events, total: r.value.total, nextBeforeRowid: r.value.nextBeforeRowid, auditError: null, loading: false },
    );
  },
  async loadOlder() {
    const { nextBeforeRowid } = get();
    if (nextBeforeRowid === null) return;
    set({ loading: true });
    const r = await call(get, (api) => api.invoke('journal.list', { limit: PAGE, beforeRowid: nextBeforeRowid }));
    if ('error' in r) set({ auditError: r.error, loading: false });
    else
      set((s) => ({
        events: [...s.events, ...r.value.events],
        total: r.value.total,
        nextBeforeRowid: r.value.nextBeforeRowid,
        auditError: null,
        loading: false,
      }));
  },
  async verifyJournal() {
    set({ verifying: true });
    const r = await call(get, (api) => api.invoke('journal.verify', {}));
    set('error' in r ? { auditError: r.error, verifying: false } : { lastVerify: r.value, auditError: null, verifying: false });
  },
  select: (id) => set({ selectedId: id }),
});

/** Selector: the selected event, derived from the list. */
export const selectSelectedEvent = (s: AuditSlice): EventView | null => s.events.find((e) => e.id === s.selectedId) ?? null;

/** Selector: how many loaded events failed verification. */
export const selectFailedCount = (s: AuditSlice): number => s.events.filter((e) => e.verification.state === 'failed').length;
