/**
 * The renderer's one zustand store, bound from one slice per file (zustand docs: slices pattern). Actions live
 * next to their state; derived values are selectors, never stored. Every call to the main process goes through
 * `call` (call.ts), and each form's error belongs to that form.
 */
import { create } from 'zustand';
import { errorOf } from './error-of.ts';
import { createAuditSlice, type AuditSlice } from './audit-slice.ts';
import { createBaselineSlice, type BaselineSlice } from './baseline-slice.ts';
import { createChangesSlice, type ChangesSlice } from './changes-slice.ts';
import { createControllersSlice, type ControllersSlice } from './controllers-slice.ts';
import { createKpiSlice, type KpiSlice } from './kpi-slice.ts';
import { createChangeCaptureSlice, type ChangeCaptureSlice } from './change-capture-slice.ts';
import { createNavSlice, type NavSlice } from './nav-slice.ts';
import { createPeopleSlice, type PeopleSlice } from './people-slice.ts';
import { createPlantSlice, type PlantSlice } from './plant-slice.ts';
import { createPolicySlice, type PolicySlice } from './policy-slice.ts';
import { createSessionSlice, type SessionSlice } from './session-slice.ts';
import { createSetupSlice, type SetupSlice } from './setup-slice.ts';
import { createSnapshotsSlice, type SnapshotsSlice } from './snapshots-slice.ts';
import { createWindowsSlice, type WindowsSlice } from './windows-slice.ts';
import { createPlantListsSlice, type PlantListsSlice } from './plant-lists-slice.ts';

export { errorOf };
export { selectFailedCount, selectSelectedEvent } from './audit-slice.ts';
export { selectSelectedController } from './controllers-slice.ts';
export { selectPlantZone } from './policy-slice.ts';
export { touchedBy, type ScreenPart } from './journal-refresher.ts';
export type { ActiveCapture } from './controllers-slice.ts';
export type { PeopleEdit } from './people-slice.ts';
export type { PlantEdit } from './plant-slice.ts';
export type { RestoreStep } from './changes-slice.ts';
export type { Result } from './call.ts';
export type { PlantListsSlice };
export type {
  AuditSlice,
  BaselineSlice,
  ChangesSlice,
  ControllersSlice,
  KpiSlice,
  NavSlice,
  PeopleSlice,
  PlantSlice,
  PolicySlice,
  SessionSlice,
  SetupSlice,
  SnapshotsSlice,
  WindowsSlice,
};

/** The whole store. */
export type AppState = SessionSlice &
  NavSlice &
  AuditSlice &
  ControllersSlice &
  SnapshotsSlice &
  BaselineSlice &
  PeopleSlice &
  ChangesSlice &
  PlantSlice &
  PolicySlice &
  WindowsSlice &
  SetupSlice &
  KpiSlice &
  PlantListsSlice &
  ChangeCaptureSlice;

/** Creates a store (one per app; tests create their own). */
export function createAppStore() {
  return create<AppState>()((...a) => ({
    ...createSessionSlice(...a),
    ...createNavSlice(...a),
    ...createAuditSlice(...a),
    ...createControllersSlice(...a),
    ...createSnapshotsSlice(...a),
    ...createBaselineSlice(...a),
    ...createPeopleSlice(...a),
    ...createChangesSlice(...a),
    ...createPlantSlice(...a),
    ...createPolicySlice(...a),
    ...createWindowsSlice(...a),
    ...createSetupSlice(...a),
    ...createKpiSlice<AppState>(errorOf)(...a),
    ...createPlantListsSlice<AppState>(errorOf)(...a),
    ...createChangeCaptureSlice<AppState>(errorOf)(...a),
  }));
}

/** The app's store. */
export const useAppStore = createAppStore();
