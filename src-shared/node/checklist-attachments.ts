/**
 * The check of a change's checklist attachments (issue #15): each file a tick attached is recorded in the checklist
 * state by its SHA-256, which every later signature's relied-on hash covers. Here the bytes themselves (from the blob
 * store, or an evidence pack's member) are hashed again; bytes altered after the tick no longer match what the
 * signatures relied on, and the problem names the item, the checklist and who ticked it.
 */
import { attachmentsOf, type ChecklistTemplates, type TickRecord } from '../common/workflow/checklists.ts';
import { sha256Hex } from './hash.ts';

/** What a verifier finds about one attachment: its bytes missing, or hashing to something else. */
export interface AttachmentProblem {
  sha256: string;
  name: string;
  item: string;
  /** The checklist template the tick belongs to (its id). */
  template: string;
  /** Missing bytes, or bytes that hash to `actual`. */
  problem: 'missing' | 'altered';
  actual: string | null;
  message: string;
}

/** Problems with the attachments of `ticks`: `bytesOf` returns the stored bytes of an attachment (null: not there). */
export function attachmentProblems(
  ticks: readonly TickRecord[],
  templates: ChecklistTemplates | null,
  bytesOf: (sha256: string, name: string) => Uint8Array | null,
): AttachmentProblem[] {
  const problems: AttachmentProblem[] = [];
  const seen = new Set<string>();
  for (const { attachment: a, tick, where } of attachmentsOf(ticks, templates)) {
    if (seen.has(`${a.sha256}/${a.name}`)) continue;
    seen.add(`${a.sha256}/${a.name}`);
    const bytes = bytesOf(a.sha256, a.name);
    if (bytes === null) {
      problems.push({
        sha256: a.sha256,
        name: a.name,
        item: tick.item,
        template: tick.template,
        problem: 'missing',
        actual: null,
        message: `the attachment "${a.name}" of ${where} is missing`,
      });
      continue;
    }
    const actual = sha256Hex(bytes);
    if (actual !== a.sha256) {
      problems.push({
        sha256: a.sha256,
        name: a.name,
        item: tick.item,
        template: tick.template,
        problem: 'altered',
        actual,
        message: `the attachment "${a.name}" of ${where} was altered after it was attached: its bytes hash to ${actual.slice(0, 12)}…, not to ${a.sha256.slice(0, 12)}… that the checklist recorded and the signatures relied on`,
      });
    }
  }
  return problems;
}
