/**
 * The checklist runner of a change in execution (issue #15): ticks of the checklist templates' items with an
 * optional note and attached photos or files, by a named person, recorded on the change (`change.updated`,
 * operation tick-item). Attached bytes are stored as content-addressed blobs (so they sync with the events that
 * name them and travel in evidence packs), and checked again against the hashes the checklist recorded.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import { changeName } from '../../src-shared/common/workflow/change-state.ts';
import {
  ATTACHMENT_MAX_BYTES,
  closingDecision,
  currentTicks,
  templateApplies,
  templateItems,
  tickOf,
  type AttachmentRef,
  type TickRecord,
} from '../../src-shared/common/workflow/checklists.ts';
import type { ChecklistRunView } from '../../src-shared/common/api/checklist-contract.ts';
import { attachmentProblems, type AttachmentProblem } from '../../src-shared/node/checklist-attachments.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { CheckpointSet } from '../../src-shared/common/workflow/checkpoints.ts';
import type { ChangeService } from './change-service.ts';
import type { ChecklistTemplateService } from './checklist-template-service.ts';

/** A file to attach, as it arrives from a screen or a script. */
export interface AttachmentUpload {
  name: string;
  mediaType: string;
  bytes: Buffer;
}

/** Runs the checklists of changes in execution. */
export class ChecklistService {
  private readonly deps: {
    changes: ChangeService;
    templates: ChecklistTemplateService;
    blobs: BlobStore;
    checkpoints: () => CheckpointSet;
  };

  constructor(deps: ChecklistService['deps']) {
    this.deps = deps;
  }

  /**
   * Ticks (or clears) an item for `employeeId`, with an optional note and files. Files over the size limit are
   * refused before anything is stored; the files are stored as blobs first, then the tick names them by hash.
   */
  tick(
    changeId: string,
    employeeId: string,
    tick: { template: string; item: string; ticked: boolean; note?: string; attachments?: AttachmentUpload[] },
    actor: Actor,
  ): ChangeState {
    const uploads = tick.attachments ?? [];
    for (const a of uploads) {
      if (a.bytes.length > ATTACHMENT_MAX_BYTES) {
        throw new BaselineError(
          'attachment-too-large',
          `${a.name} is ${(a.bytes.length / 1024 / 1024).toFixed(1)} MiB; a checklist attachment is at most ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MiB.`,
          "Attach a smaller photo (or a reduced copy of the file) and keep the full one with the plant's records; nothing was recorded.",
          { name: a.name, size: a.bytes.length, limit: ATTACHMENT_MAX_BYTES },
        );
      }
      if (a.bytes.length === 0)
        throw new BaselineError('attachment-empty', `${a.name} is empty.`, 'Pick the file again; nothing was recorded.', { name: a.name });
    }
    const attachments: AttachmentRef[] = uploads.map((a) => ({
      name: a.name,
      sha256: this.deps.blobs.put(a.bytes),
      size: a.bytes.length,
      mediaType: a.mediaType || 'application/octet-stream',
    }));
    const name = this.deps.templates.current().templates.find((t) => t.id === tick.template)?.name ?? tick.template;
    const words = tick.ticked ? `ticked "${tick.item}" (${name})` : `cleared the tick of "${tick.item}" (${name})`;
    const summary = `${words}${tick.note?.trim() ? ` with a note` : ''}${attachments.length > 0 ? `, attached ${attachments.map((a) => a.name).join(', ')}` : ''}`;
    return this.deps.changes.tick(
      changeId,
      employeeId,
      {
        template: tick.template,
        item: tick.item,
        ticked: tick.ticked,
        ...(tick.note?.trim() ? { note: tick.note } : {}),
        ...(attachments.length > 0 ? { attachments } : {}),
      },
      summary,
      actor,
    );
  }

  /** The ticks recorded on a change (empty before execution). */
  private ticksOf(state: ChangeState): TickRecord[] {
    return 'execution' in state ? (state.execution.ticks ?? []) : [];
  }

  /** Each attachment of the change whose stored bytes are missing or no longer match the hash its tick recorded. */
  verifyAttachments(changeId: string): AttachmentProblem[] {
    const state = this.deps.changes.get(changeId);
    return attachmentProblems(this.ticksOf(state), this.templatesOrNull(), (sha) => this.deps.blobs.raw(sha));
  }

  private templatesOrNull() {
    try {
      return this.deps.templates.current();
    } catch {
      return null;
    }
  }

  /** An attachment's bytes, checked against its hash (only attachments of this change's ticks are served). */
  attachment(changeId: string, sha256: string): { name: string; mediaType: string; bytes: Buffer } {
    const state = this.deps.changes.get(changeId);
    const a = this.ticksOf(state)
      .flatMap((t) => t.attachments ?? [])
      .find((x) => x.sha256 === sha256);
    if (!a)
      throw new BaselineError(
        'attachment-unknown',
        `${changeName(state)} has no attachment ${sha256.slice(0, 12)}….`,
        "Open it from the change's checklist.",
      );
    const problem = this.verifyAttachments(changeId).find((p) => p.sha256 === sha256);
    if (problem)
      throw new BaselineError(
        'attachment-damaged',
        `${changeName(state)}: ${problem.message}.`,
        'Do not use it as evidence; restore the data directory from a backup or sync it again from the central server.',
      );
    return { name: a.name, mediaType: a.mediaType, bytes: this.deps.blobs.get(sha256) };
  }

  /** The checklists of a change as its screen shows them: the templates that apply, each item's current tick, and whether each template is still open. */
  view(changeId: string): ChecklistRunView {
    const state = this.deps.changes.get(changeId);
    const inForce = this.deps.templates.inForce();
    const ticks = this.ticksOf(state);
    const current = currentTicks(ticks);
    const damaged = new Set(this.verifyAttachments(changeId).map((p) => p.sha256));
    const records = 'execution' in state ? (state.execution.checkpoints ?? []) : [];
    const checkpoints = this.deps.checkpoints().checkpoints;
    return {
      revision: inForce.revision,
      name: inForce.name,
      sha256: inForce.sha256,
      executing: state.status === 'in-execution',
      templates: inForce.templates.templates
        .filter((t) => templateApplies(t, state))
        .map((t) => {
          const closed = closingDecision(t, records);
          return {
            id: t.id,
            name: t.name,
            checkpoint: t.checkpoint,
            checkpointName: checkpoints.find((c) => c.id === t.checkpoint)?.name ?? t.checkpoint,
            required: t.required,
            closedBy: closed ? { label: closed.label, by: closed.by.name, at: closed.at } : null,
            sections: t.sections.map((s) => ({
              name: s.name,
              items: s.items.map((item) => {
                const tick = tickOf(current, t.id, item);
                const history = ticks.filter((x) => x.template === t.id && x.item === item);
                return {
                  text: item,
                  tick: tick ? { ticked: tick.ticked, by: tick.by, at: tick.at, revision: tick.revision, note: tick.note ?? null } : null,
                  attachments: history.flatMap((x) =>
                    (x.attachments ?? []).map((a) => ({ ...a, by: x.by.name, at: x.at, intact: !damaged.has(a.sha256) })),
                  ),
                };
              }),
            })),
            ticked: templateItems(t).filter((i) => tickOf(current, t.id, i)?.ticked === true).length,
            total: templateItems(t).length,
          };
        }),
    };
  }
}
