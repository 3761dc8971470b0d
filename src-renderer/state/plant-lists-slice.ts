/**
 * The plant-scale lists' slice: the header's global search and where its hits lead, "capture all controllers of
 * this line" with each controller's outcome, signed controller edits and retirements, the tags a proposed change
 * picks from, and the Audit trail's filter.
 */
import type { StateCreator } from 'zustand';
import type { BaselineApi } from '../../src-shared/common/api/transport.ts';
import type { OperationRequest, OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { SearchResults } from '../../src-shared/common/api/search-contract.ts';
import type { LineCaptureResult } from '../../src-shared/common/api/line-capture-contract.ts';
import type { CurrentValues } from '../../src-shared/common/api/tag-values-contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';

/** What the Audit trail is narrowed to (empty strings: not narrowed). */
export interface AuditFilter {
  type: string;
  signer: string;
  change: string;
  /** ISO instants (from inclusive, to exclusive); empty: open. */
  from: string;
  to: string;
}

/** An empty Audit filter. */
export const NO_AUDIT_FILTER: AuditFilter = { type: '', signer: '', change: '', from: '', to: '' };

/** One line's capture: running, or its outcome. */
export type LineCaptureState =
  { running: true; cancelling?: boolean } | { running: false; result: LineCaptureResult | null; error: ErrorData | null };

/** Search, line captures, controller edits, proposal tags and the Audit filter. */
export interface PlantListsSlice {
  searchResults: SearchResults | null;
  searchError: ErrorData | null;
  runSearch(query: string): Promise<void>;
  clearSearch(): void;
  /** A tag to find in the values of the controller opened from the search (null: none). */
  tagFocus: { controllerId: string; tag: string } | null;
  /** Opens what a search hit names on its screen. */
  openHit(hit: { kind: 'change' | 'controller' | 'person'; id: string } | { kind: 'tag'; id: string; tag: string }): void;
  /** The person the People screen brings into view (from the search). */
  personFocus: string | null;
  lineCaptures: Record<string, LineCaptureState>;
  captureLine(lineId: string): Promise<void>;
  /** Cancels a line's capture: the controller being read and those not yet read are marked cancelled, never evidence. */
  cancelLineCapture(lineId: string): Promise<void>;
  /** A signed edit or retirement of a controller: the error to show in its form, or null. */
  changeController<K extends 'controllers.edit' | 'controllers.retire'>(operation: K, req: OperationRequest<K>): Promise<ErrorData | null>;
  /** The profile tags of a controller with current values, or the error why not. */
  currentValues(controllerId: string): Promise<{ value: CurrentValues } | { error: ErrorData }>;
  auditFilter: AuditFilter;
  filteredEvents: OperationResponse<'journal.search'> | null;
  filteredError: ErrorData | null;
  /** Narrows the Audit trail (an empty filter shows the whole journal again). */
  filterAudit(filter: AuditFilter): Promise<void>;
  loadOlderFiltered(): Promise<void>;
}

/** What the slice needs from the rest of the store. */
interface Needs {
  api: BaselineApi | null;
  go(view: 'controllers' | 'changes' | 'people'): void;
  selectController(id: string | null): void;
  selectChange(id: string | null): Promise<void>;
  loadControllers(): Promise<void>;
}

const PAGE = 200;

/** Builds the slice (`errorOf` turns a failure into what the screen shows). */
export function createPlantListsSlice<S extends PlantListsSlice & Needs>(
  errorOf: (err: unknown) => ErrorData,
): StateCreator<S, [], [], PlantListsSlice> {
  return (set, get) => {
    const patch = (p: Partial<PlantListsSlice>) => set(p as Partial<S>);
    const request = (f: AuditFilter, beforeRowid?: number): OperationRequest<'journal.search'> => ({
      limit: PAGE,
      ...(beforeRowid ? { beforeRowid } : {}),
      ...(f.type ? { type: f.type } : {}),
      ...(f.signer ? { signer: f.signer } : {}),
      ...(f.change.trim() ? { change: f.change.trim() } : {}),
      ...(f.from ? { from: f.from } : {}),
      ...(f.to ? { to: f.to } : {}),
    });
    let searchSeq = 0;
    return {
      searchResults: null,
      searchError: null,
      async runSearch(query) {
        const api = get().api;
        const mine = ++searchSeq;
        if (!api || query.trim().length < 2) {
          patch({ searchResults: null, searchError: null });
          return;
        }
        try {
          const results = await api.invoke('search.global', { query });
          if (mine === searchSeq) patch({ searchResults: results, searchError: null });
        } catch (err) {
          if (mine === searchSeq) patch({ searchError: errorOf(err) });
        }
      },
      clearSearch: () => {
        searchSeq++;
        patch({ searchResults: null, searchError: null });
      },
      tagFocus: null,
      personFocus: null,
      openHit(hit) {
        const st = get();
        if (hit.kind === 'change') {
          st.go('changes');
          void st.selectChange(hit.id);
        } else if (hit.kind === 'person') {
          patch({ personFocus: hit.id });
          st.go('people');
        } else {
          patch({ tagFocus: hit.kind === 'tag' ? { controllerId: hit.id, tag: hit.tag } : null });
          st.go('controllers');
          st.selectController(hit.id);
        }
        get().clearSearch();
      },
      lineCaptures: {},
      async captureLine(lineId) {
        const api = get().api;
        if (!api) return;
        patch({ lineCaptures: { ...get().lineCaptures, [lineId]: { running: true } } });
        let next: LineCaptureState;
        try {
          next = { running: false, result: await api.invoke('capture.line', { lineId }), error: null };
        } catch (err) {
          next = { running: false, result: null, error: errorOf(err) };
        }
        patch({ lineCaptures: { ...get().lineCaptures, [lineId]: next } });
        void get().loadControllers();
      },
      async cancelLineCapture(lineId) {
        const api = get().api;
        const now = get().lineCaptures[lineId];
        if (!api || !now?.running) return;
        patch({ lineCaptures: { ...get().lineCaptures, [lineId]: { running: true, cancelling: true } } });
        await api.invoke('capture.lineCancel', { lineId }).catch(() => undefined);
      },
      async changeController(operation, req) {
        const api = get().api;
        if (!api) return null;
        try {
          await api.invoke(operation, req);
          await get().loadControllers();
          return null;
        } catch (err) {
          return errorOf(err);
        }
      },
      async currentValues(controllerId) {
        const api = get().api;
        if (!api)
          return {
            error: { code: 'not-connected', message: 'Not connected to Baseline.', hint: 'Wait for the connection, then try again.' },
          };
        try {
          return { value: await api.invoke('controllers.currentValues', { controllerId }) };
        } catch (err) {
          return { error: errorOf(err) };
        }
      },
      auditFilter: NO_AUDIT_FILTER,
      filteredEvents: null,
      filteredError: null,
      async filterAudit(filter) {
        const api = get().api;
        if (!api) return;
        // The filter and its events change together, so the screen never labels one filter's events with another.
        try {
          patch({ filteredEvents: await api.invoke('journal.search', request(filter)), auditFilter: filter, filteredError: null });
        } catch (err) {
          patch({ filteredError: errorOf(err) });
        }
      },
      async loadOlderFiltered() {
        const { api, filteredEvents, auditFilter } = get();
        if (!api || !filteredEvents?.nextBeforeRowid) return;
        try {
          const page = await api.invoke('journal.search', request(auditFilter, filteredEvents.nextBeforeRowid));
          patch({ filteredEvents: { ...page, events: [...filteredEvents.events, ...page.events] }, filteredError: null });
        } catch (err) {
          patch({ filteredError: errorOf(err) });
        }
      },
    };
  };
}
