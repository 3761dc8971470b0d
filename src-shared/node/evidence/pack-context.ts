/** What the report and the crosswalk read about one pack: the change, its events, signatures and diffs. */
import type { ChangeState } from '../../common/workflow/change-state.ts';
import type { SnapshotFile } from '../../common/snapshot/snapshot.ts';
import type { Manifest, PackEvent, SignatureIndexEntry } from './pack-format.ts';
import type { ControllerDiffs, PackClockFlag } from './pack-derive.ts';
import type { PackWording } from './pack-wording.ts';

/** The parsed content of a pack, as the writer built it or the verifier read it. */
export interface PackContext {
  changeId: string;
  /** The change's state after its last event in the pack. */
  state: ChangeState;
  events: PackEvent[];
  signatures: SignatureIndexEntry[];
  diffs: ControllerDiffs[];
  /** Snapshot files by document hash. */
  snapshots: ReadonlyMap<string, SnapshotFile>;
  policy: { revision: number; name: string; source: 'adopted' | 'shipped-default' };
  /** The plant's time zone (from the policy), in which the report shows times. */
  timeZone: string;
  /** How the report and the crosswalk word roles and break-glass approvals (by the pack's format; from the policy's role names). */
  wording: PackWording;
  exportedAt: string;
  exportedBy: Manifest['exportedBy'];
  /** Events of the pack the central server flagged for an implausible device time (clock/flags.json). */
  clockFlags: PackClockFlag[];
  /** The checklist templates revision the change's signatures relied on (policy/checklist-templates.yaml), if the pack has it. */
  checklistsYaml: string | null;
  /** Every member's name (manifest, report and SHA256SUMS aside). */
  memberNames: string[];
}
