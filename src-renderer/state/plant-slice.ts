/** The plant slice: the plant model (sites, lines, which controller is on which line) and its signed edits. */
import type { StateCreator } from 'zustand';
import type { OperationRequest, OperationResponse } from '../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { call, errorIn, type Connected } from './call.ts';
import type { PeopleSlice } from './people-slice.ts';

/** The signed plant-model edits. */
export type PlantEdit =
  'plant.import' | 'plant.setSite' | 'plant.setLine' | 'plant.removeLine' | 'controllers.assignLine' | 'controllers.setSafety';

/** The plant model. */
export interface PlantSlice {
  /** Loaded with the change register (`loadChanges`), which is read against it. */
  plant: OperationResponse<'plant.get'> | null;
  /** A signed plant-model edit: import a plant file, or set a site or a line, or remove a line; the error to show in its form, or null. */
  editPlant<K extends PlantEdit>(operation: K, req: OperationRequest<K>): Promise<ErrorData | null>;
}

/** The register is reloaded after an edit (with the plant model); written out, as the changes slice reads this one. */
interface Needs extends Connected, Pick<PeopleSlice, 'loadPeople'> {
  loadChanges(): Promise<void>;
}

/** Creates the slice. */
export const createPlantSlice: StateCreator<PlantSlice & Needs, [], [], PlantSlice> = (_set, get) => ({
  plant: null,
  async editPlant(operation, req) {
    const r = await call(get, async (api) => {
      await api.invoke(operation, req);
      await get().loadChanges();
    });
    if ('error' in r) void get().loadPeople(); // a wrong password may have locked the signer: show it
    return errorIn(r);
  },
});
