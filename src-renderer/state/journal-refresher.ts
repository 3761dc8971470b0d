/**
 * Keeps the screens current from the journal: which parts of the screens a journal event type touches, and the
 * refresher that reloads those parts (once per burst of events) when the main process publishes an event.
 */
import type { PlantListsSlice } from './plant-lists-slice.ts';
import type { AuditSlice } from './audit-slice.ts';
import type { BaselineSlice } from './baseline-slice.ts';
import type { ChangesSlice } from './changes-slice.ts';
import type { ControllersSlice } from './controllers-slice.ts';
import type { NavSlice } from './nav-slice.ts';
import type { PeopleSlice } from './people-slice.ts';
import type { SetupSlice } from './setup-slice.ts';
import type { SnapshotsSlice } from './snapshots-slice.ts';
import type { WindowsSlice } from './windows-slice.ts';

/** A part of the screens that journal events can make stale. */
export type ScreenPart = 'changes' | 'change' | 'controllers' | 'controller' | 'people' | 'plant' | 'windows' | 'audit';

/** What a journal event type touches on screen (the change register, the change on screen, the controller on screen, ...). */
export function touchedBy(type: string): Set<ScreenPart> {
  const parts: ScreenPart[] = ['audit'];
  if (type === 'change.updated') parts.push('changes', 'change', 'windows');
  if (type.startsWith('restore.')) parts.push('change', 'controller');
  if (
    type === 'snapshot.captured' ||
    type === 'baseline.approved' ||
    type === 'drift.checked' ||
    type.startsWith('unauthorized-change.') ||
    type === 'capture.recorded'
  ) {
    parts.push('controllers', 'controller', 'change');
  }
  if (type.startsWith('person.') || type.startsWith('people.') || type === 'certificate.revoked' || type === 'ca.trusted')
    parts.push('people', 'change');
  if (type.startsWith('plant.') || type.startsWith('controller.') || type === 'policy.adopted' || type === 'profile.imported')
    parts.push('plant', 'controllers', 'changes', 'change', 'windows');
  return new Set(parts);
}

/** The loads the refresher may run, and what it reads to know what is on screen. */
export type RefreshTargets = Pick<NavSlice, 'view'> &
  Pick<AuditSlice, 'loadJournal'> &
  Pick<SetupSlice, 'loadSetup'> &
  Pick<ControllersSlice, 'loadControllers' | 'selectedControllerId' | 'loadHistory'> &
  Pick<SnapshotsSlice, 'loadSnapshots'> &
  Pick<BaselineSlice, 'loadBaselines'> &
  Pick<ChangesSlice, 'loadChanges' | 'selectedChangeId' | 'selectChange'> &
  Pick<PeopleSlice, 'loadPeople'> &
  Pick<WindowsSlice, 'loadRequestedWindows' | 'loadCalendar' | 'calendarFrom'> &
  Pick<PlantListsSlice, 'filterAudit' | 'auditFilter'>;

/**
 * Collects journal events for a moment (a restore or an import appends several at once) and then reloads, once,
 * what they touch and what is on screen.
 */
export function journalRefresher(get: () => RefreshTargets): { note(type: string): void } {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  function flush(): void {
    timer = null;
    const touched = new Set([...pending].flatMap((type) => [...touchedBy(type)]));
    pending.clear();
    const st = get();
    if (touched.has('audit') && st.view === 'audit') {
      void st.loadJournal();
      void st.filterAudit(st.auditFilter);
    }
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
