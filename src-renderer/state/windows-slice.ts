/** The windows slice: the windows calendar (windows, blackouts, booked slots) and the windows changes ask for. */
import type { StateCreator } from 'zustand';
import type { OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, type Connected } from './call.ts';

/** The Windows screen's data. */
export interface WindowsSlice {
  calendar: OperationResponse<'windows.calendar'> | null;
  /** The period the calendar shows (reloaded when the journal says something changed). */
  calendarFrom: { from: string; days: number } | null;
  requestedWindows: OperationResponse<'changes.windows'>['windows'];
  /** Why the Windows screen could not load. */
  windowsError: ErrorData | null;
  loadRequestedWindows(): Promise<void>;
  loadCalendar(from: Date, days: number): Promise<void>;
}

/** Creates the slice. */
export const createWindowsSlice: StateCreator<WindowsSlice & Connected, [], [], WindowsSlice> = (set, get) => ({
  calendar: null,
  calendarFrom: null,
  requestedWindows: [],
  windowsError: null,
  async loadRequestedWindows() {
    const r = await call(get, (api) => api.invoke('changes.windows', {}));
    set('error' in r ? { windowsError: r.error } : { requestedWindows: r.value.windows, windowsError: null });
  },
  async loadCalendar(from, days) {
    const period = { from: from.toISOString(), days };
    const r = await call(get, (api) => api.invoke('windows.calendar', period));
    set('error' in r ? { windowsError: r.error } : { calendarFrom: period, calendar: r.value, windowsError: null });
  },
});
