/**
 * Go/no-go checkpoints of a change's execution (ARCHITECTURE §6, the change guide's four): an ordered list of checkpoints, each
 * with its checklist and the decisions a shift supervisor may sign. Read from `resources/checklists/
 * execution-checkpoints.yaml` (`baseline.checkpoints/1`), every problem named by file, line and field.
 */
import * as z from 'zod';
import { BaselineError } from '../errors.ts';
import { firstProblems, readYamlDocument } from '../yaml-document.ts';

const Id = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and hyphens (at most 40)');

/** What a checkpoint decision does to the execution. */
export const CHECKPOINT_EFFECTS = ['proceed', 'stop', 'rollback', 'monitor', 'close'] as const;

/** What a checkpoint decision does. */
export type CheckpointEffect = (typeof CHECKPOINT_EFFECTS)[number];

/** The checkpoint document. */
export const CheckpointSetSchema = z
  .object({
    schema: z.literal('baseline.checkpoints/1'),
    signerRoles: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1),
    checkpoints: z
      .array(
        z
          .object({
            id: Id,
            name: z.string().trim().min(1).max(120),
            when: z.string().trim().min(1).max(200),
            /** The checkpoint falls due once this fraction of the booked slot has elapsed (the mid-change assessment: 0.5). */
            dueAtWindowFraction: z.number().gt(0).lt(1).optional(),
            items: z.array(z.string().trim().min(1).max(300)).min(1).max(50),
            decisions: z
              .array(z.object({ id: Id, label: z.string().trim().min(1).max(40), effect: z.enum(CHECKPOINT_EFFECTS) }).strict())
              .min(2)
              .max(5),
          })
          .strict(),
      )
      .min(2, 'at least two checkpoints: one before the work, one after it')
      .max(20),
  })
  .strict()
  .superRefine((set, ctx) => {
    const ids = new Set<string>();
    set.checkpoints.forEach((c, i) => {
      if (ids.has(c.id)) ctx.addIssue({ code: 'custom', path: ['checkpoints', i, 'id'], message: `checkpoint ${c.id} appears twice` });
      ids.add(c.id);
      const decisions = new Set<string>();
      c.decisions.forEach((d, j) => {
        if (decisions.has(d.id))
          ctx.addIssue({ code: 'custom', path: ['checkpoints', i, 'decisions', j, 'id'], message: `decision ${d.id} appears twice` });
        decisions.add(d.id);
      });
      if (new Set(c.items).size !== c.items.length)
        ctx.addIssue({ code: 'custom', path: ['checkpoints', i, 'items'], message: 'an item appears twice' });
      const last = i === set.checkpoints.length - 1;
      if (!last && !c.decisions.some((d) => d.effect === 'proceed'))
        ctx.addIssue({
          code: 'custom',
          path: ['checkpoints', i, 'decisions'],
          message: 'every checkpoint but the last needs a decision with effect proceed',
        });
      if (last && !c.decisions.some((d) => d.effect === 'close'))
        ctx.addIssue({
          code: 'custom',
          path: ['checkpoints', i, 'decisions'],
          message: 'the last checkpoint needs a decision with effect close',
        });
      if (!last && c.decisions.some((d) => d.effect === 'close'))
        ctx.addIssue({ code: 'custom', path: ['checkpoints', i, 'decisions'], message: 'only the last checkpoint may close' });
      if (last && c.decisions.some((d) => d.effect === 'proceed'))
        ctx.addIssue({
          code: 'custom',
          path: ['checkpoints', i, 'decisions'],
          message: 'the last checkpoint has no next checkpoint to proceed to (use close)',
        });
      if (i === 0 && c.decisions.some((d) => d.effect === 'monitor'))
        ctx.addIssue({
          code: 'custom',
          path: ['checkpoints', i, 'decisions'],
          message: 'the first checkpoint decides whether the work starts: it cannot monitor',
        });
    });
  });

/** A set of checkpoints. */
export type CheckpointSet = z.output<typeof CheckpointSetSchema>;
/** One checkpoint. */
export type Checkpoint = CheckpointSet['checkpoints'][number];

/** Reads a checkpoint file; throws one BaselineError listing every problem with its line. */
export function parseCheckpointsYaml(text: string, file: string): CheckpointSet {
  const read = readYamlDocument(text, file, CheckpointSetSchema);
  if (read.ok) return read.data;
  throw new BaselineError(
    'checkpoints-invalid',
    `The checkpoint file cannot be used: ${firstProblems(read.problems)}.`,
    'Correct the listed lines; until then Baseline refuses checkpoint decisions.',
    { problems: read.problems },
  );
}

/** One signed checkpoint decision, as the change's execution record keeps it. */
export interface CheckpointRecord {
  checkpoint: string;
  name: string;
  decision: string;
  label: string;
  effect: CheckpointEffect;
  by: { id: string; name: string };
  role: string;
  at: string;
  /** The checklist as it stood when signed: each item, whether the signer confirmed it, and the note written against it (absent: none). */
  items: { text: string; confirmed: boolean; note?: string }[];
  comment: string;
}

/**
 * Where the checkpoints of an execution stand: the checkpoint to sign next (null when none is due: the last one
 * closed, or the work stopped), and whether the change may be closed as completed.
 */
export function checkpointProgress(
  set: Pick<CheckpointSet, 'checkpoints'>,
  records: readonly CheckpointRecord[],
): { next: Checkpoint | null; closable: boolean } {
  let index = 0;
  for (const r of records) {
    if (r.effect === 'stop' || r.effect === 'rollback' || r.effect === 'close') return { next: null, closable: r.effect === 'close' };
    if (r.effect === 'proceed') index = set.checkpoints.findIndex((c) => c.id === r.checkpoint) + 1;
  }
  return { next: set.checkpoints[index] ?? null, closable: false };
}
