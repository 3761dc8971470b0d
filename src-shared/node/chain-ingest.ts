/**
 * Checks events arriving from another place (a push at the server, a pull at a laptop) before they are stored:
 * each must continue its device's chain exactly, hash to its stored hash, and carry a valid signature by the
 * device's certified key. The checks themselves are the journal verifier's (`checkRow`), so a stored journal
 * and an arriving one are judged by the same rules.
 */
import type { KeyObject } from 'node:crypto';
import { GENESIS_PREV, type EventProblem } from '../common/journal-event.ts';
import { checkRow, deviceKeyFromGenesis, type StoredEventRow } from './journal-verifier.ts';

/** Where a device's chain stands in a store: its last seq and hash (seq 0: nothing yet). */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** The head of a device that has no events yet. */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_PREV };

/**
 * Problems of one arriving row as the next event after `head`, signed by `key`. A first event (seq 1) must
 * also be the device's `device.created` announcing exactly `key`.
 */
export function arrivingRowProblems(row: StoredEventRow, key: KeyObject, head: ChainHead): EventProblem[] {
  const problems = checkRow(row, key, head.seq + 1, head.hash);
  if (row.seq === 1) {
    const announced = deviceKeyFromGenesis(row);
    if (!announced || !announced.equals(key)) {
      problems.push({
        device: row.device,
        seq: 1,
        kind: 'key-mismatch',
        message: "the device's first event does not announce the key its certificate binds",
      });
    }
  }
  return problems;
}

/** One sentence naming the first problem of an arriving event, for refusals on both sides. */
export function describeProblems(problems: readonly EventProblem[]): string {
  const p = problems[0];
  if (!p) return 'no problem';
  return `event seq ${p.seq} of device ${p.device} (${p.kind}): ${p.message}`;
}
