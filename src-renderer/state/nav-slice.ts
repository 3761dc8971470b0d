/** The navigation slice: which screen is shown, and what each screen loads when it is opened. */
import type { StateCreator } from 'zustand';
import type { AuditSlice } from './audit-slice.ts';
import type { ChangesSlice } from './changes-slice.ts';
import type { ControllersSlice } from './controllers-slice.ts';
import type { KpiSlice } from './kpi-slice.ts';
import type { PeopleSlice } from './people-slice.ts';
import type { SetupSlice } from './setup-slice.ts';
import type { WindowsSlice } from './windows-slice.ts';

/** Which screen is shown. */
export interface NavSlice {
  view: 'home' | 'controllers' | 'changes' | 'windows' | 'plant' | 'people' | 'kpis' | 'audit';
  /** True once the user has opened a screen (the first screen chosen at connection then leaves it be). */
  navigated: boolean;
  go(view: NavSlice['view']): void;
}

type Needs = Pick<SetupSlice, 'loadSetup'> &
  Pick<AuditSlice, 'loadJournal'> &
  Pick<PeopleSlice, 'loadPeople'> &
  Pick<ChangesSlice, 'loadChanges'> &
  Pick<ControllersSlice, 'loadControllers'> &
  Pick<KpiSlice, 'loadKpis'> &
  Pick<WindowsSlice, 'loadCalendar'>;

/** Creates the slice. */
export const createNavSlice: StateCreator<NavSlice & Needs, [], [], NavSlice> = (set, get) => ({
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
