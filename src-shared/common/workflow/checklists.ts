/**
 * Checklist templates run during a change's execution (issue #15): the change guide's rollback plan verification,
 * post-change functional tests, safety instrumented system (SIS) verification and performance validation, each tied
 * to the go/no-go checkpoint it prepares. A plant's templates are a versioned document (`baseline.checklists/1`,
 * shipped as revision 1 in resources/checklists/checklist-templates.yaml), adopted like the policy with a plant
 * engineering signature. Each item is ticked by a person on the laptop, with an optional note and attached photos or
 * files (by their SHA-256; the bytes are content-addressed blobs); the ticks are part of the change's checklist state,
 * so every checkpoint signature's relied-on hash covers them, attachments included.
 */
import * as z from 'zod';
import { BaselineError } from '../errors.ts';
import { firstProblems, readYamlDocument } from '../yaml-document.ts';
import type { PersonRef } from './workflow-terms.ts';
import type { CheckpointRecord } from './checkpoints.ts';

const Id = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and hyphens (at most 40)');

/** The largest attachment a tick takes, in bytes (10 MiB: a phone photo, a trend export, a test record). */
export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** The most attachments one tick takes. */
export const ATTACHMENTS_PER_TICK = 5;
/** The longest note against an item, in characters. */
export const TICK_NOTE_MAX_CHARS = 1000;

/** Which changes a template applies to. */
export const TEMPLATE_SCOPES = ['all', 'safety-critical'] as const;

/** The checklist templates document. */
export const ChecklistTemplatesSchema = z
  .object({
    schema: z.literal('baseline.checklists/1'),
    name: z.string().trim().min(1).max(120),
    revision: z.number().int().min(1),
    templates: z
      .array(
        z
          .object({
            id: Id,
            name: z.string().trim().min(1).max(120),
            /** The checkpoint this checklist prepares: its items are ticked before that checkpoint is signed. */
            checkpoint: Id,
            /** Whether every item must be ticked before a decision that lets the work go on (GO, CONTINUE, CUTOVER, CLOSE) at that checkpoint. */
            required: z.boolean().default(false),
            appliesTo: z.enum(TEMPLATE_SCOPES).default('all'),
            sections: z
              .array(
                z
                  .object({
                    name: z.string().trim().min(1).max(120),
                    items: z.array(z.string().trim().min(1).max(300)).min(1).max(50),
                  })
                  .strict(),
              )
              .min(1)
              .max(20),
          })
          .strict(),
      )
      .min(1)
      .max(30),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const ids = new Set<string>();
    doc.templates.forEach((t, i) => {
      if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['templates', i, 'id'], message: `template ${t.id} appears twice` });
      ids.add(t.id);
      const seen = new Set<string>();
      t.sections.forEach((s, j) =>
        s.items.forEach((item, k) => {
          if (seen.has(item))
            ctx.addIssue({
              code: 'custom',
              path: ['templates', i, 'sections', j, 'items', k],
              message: `"${item}" appears twice in template ${t.id}`,
            });
          seen.add(item);
        }),
      );
    });
  });

/** A plant's checklist templates. */
export type ChecklistTemplates = z.output<typeof ChecklistTemplatesSchema>;
/** One template. */
export type ChecklistTemplate = ChecklistTemplates['templates'][number];

/**
 * Reads a templates file; throws one BaselineError listing every problem with its line and field. `checkpointIds`
 * are the go/no-go checkpoints in force: a template naming another one is refused.
 */
export function parseChecklistTemplates(text: string, file: string, checkpointIds: readonly string[]): ChecklistTemplates {
  const read = readYamlDocument(text, file, ChecklistTemplatesSchema);
  const problems = read.ok ? [] : read.problems;
  if (read.ok) {
    read.data.templates.forEach((t, i) => {
      if (!checkpointIds.includes(t.checkpoint))
        problems.push(
          `${file} template ${i + 1} (${t.id}), checkpoint: "${t.checkpoint}" is not a go/no-go checkpoint (they are ${checkpointIds.join(', ')})`,
        );
    });
  }
  if (read.ok && problems.length === 0) return read.data;
  throw new BaselineError(
    'checklists-invalid',
    `The checklist templates cannot be used: ${firstProblems(problems)}.`,
    'Correct the listed lines and adopt the file again; the templates in force stay as they are.',
    { problems },
  );
}

/** A file attached to a tick: stored as a blob under its SHA-256, which the checklist state records. */
export interface AttachmentRef {
  name: string;
  sha256: string;
  size: number;
  mediaType: string;
}

/** One tick (or untick) of an item, in the order recorded; the latest per item is its state. */
export interface TickRecord {
  template: string;
  item: string;
  ticked: boolean;
  by: PersonRef;
  at: string;
  /** The templates revision in force when ticked. */
  revision: number;
  note?: string;
  attachments?: AttachmentRef[];
}

/** What a template's scope reads of a change (its class, and whether review found it safety-critical); a change state is one. */
export interface ChangeScopeFacts {
  fields: { class: string | null };
  review?: { evaluation: { safety?: unknown } } | null;
}

/** Whether a template applies to the change (the SIS checks only to safety-critical changes). */
export function templateApplies(t: ChecklistTemplate, state: ChangeScopeFacts): boolean {
  if (t.appliesTo === 'all') return true;
  return state.fields.class === 'safety-critical' || state.review?.evaluation.safety !== undefined;
}

/** Every item of a template, in order. */
export function templateItems(t: ChecklistTemplate): string[] {
  return t.sections.flatMap((s) => s.items);
}

/** The current tick of each item (the latest record per template and item). */
export function currentTicks(ticks: readonly TickRecord[]): Map<string, TickRecord> {
  const m = new Map<string, TickRecord>();
  for (const t of ticks) m.set(`${t.template}\u0000${t.item}`, t);
  return m;
}

/** The current tick of one item (undefined: never ticked). */
export function tickOf(current: ReadonlyMap<string, TickRecord>, template: string, item: string): TickRecord | undefined {
  return current.get(`${template}\u0000${item}`);
}

/** The checkpoint decision that closed a template's checklist (any decision but extended monitoring), if signed. */
export function closingDecision(t: ChecklistTemplate, records: readonly CheckpointRecord[]): CheckpointRecord | undefined {
  return records.find((r) => r.checkpoint === t.checkpoint && r.effect !== 'monitor');
}

/**
 * The items a decision letting the work go on at `checkpoint` still lacks: every unticked item of each required
 * template of that checkpoint that applies to the change, by template name.
 */
export function requiredUnticked(
  templates: ChecklistTemplates,
  state: ChangeScopeFacts,
  checkpoint: string,
  ticks: readonly TickRecord[],
): { template: string; items: string[] }[] {
  const current = currentTicks(ticks);
  return templates.templates
    .filter((t) => t.required && t.checkpoint === checkpoint && templateApplies(t, state))
    .map((t) => ({ template: t.name, items: templateItems(t).filter((i) => tickOf(current, t.id, i)?.ticked !== true) }))
    .filter((x) => x.items.length > 0);
}

/** Every attachment in a checklist state, with the item and tick it belongs to (for verifiers and evidence packs). */
export function attachmentsOf(
  ticks: readonly TickRecord[],
  templates?: ChecklistTemplates | null,
): { attachment: AttachmentRef; tick: TickRecord; where: string }[] {
  return ticks.flatMap((tick) =>
    (tick.attachments ?? []).map((attachment) => {
      const name = templates?.templates.find((t) => t.id === tick.template)?.name ?? tick.template;
      return { attachment, tick, where: `"${tick.item}" (${name}), ticked by ${tick.by.name}` };
    }),
  );
}
