/**
 * What the re-capture proof of a manual rollback records (the rules are in rollback-proof.ts): the signed snapshot of
 * the controller taken after the guided procedure, what it showed against the change's before-snapshot, and the
 * explanations of any difference, each signed by the engineer and countersigned by a shift supervisor.
 */
import type { PersonRef } from './workflow-terms.ts';

/** One difference of the re-capture from the before-snapshot: a config value, or a live value outside its tolerance. */
export interface RollbackProofDifference {
  tag: string;
  reason: string;
}

/** An explained difference of a re-capture. */
export interface RollbackProofExplanation {
  tag: string;
  text: string;
  by: PersonRef;
  countersignedBy: PersonRef;
  at: string;
}

/** The re-capture that proves (or not) a manual rollback: the controller read again and compared with the before-snapshot. */
export interface RollbackProofRecord {
  snapshotSha256: string;
  /** Who signed the re-capture "captured by", and when it was read. */
  capturedBy: string;
  capturedAt: string;
  by: PersonRef;
  at: string;
  /** The change's before-snapshot it was compared with. */
  beforeSnapshotSha256: string;
  /** No difference at all from the before-snapshot. */
  matchesBefore: boolean;
  /** The differences (at most 50 kept; `unlisted` counts the rest). */
  differences: RollbackProofDifference[];
  unlisted: number;
  explanations: RollbackProofExplanation[];
}
