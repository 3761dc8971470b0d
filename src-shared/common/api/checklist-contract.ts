/**
 * The API contract's checklist part (one file per domain; contract.ts joins them into OPERATIONS).
 * The plant's checklist templates (in force, adopting a revision) and the checklist runner of a change in execution:
 * ticks with a note and attached files, each attachment's bytes served back checked against its hash.
 */
import * as z from 'zod';
import { Empty, Password, Sha256, TEXT_FILE_MAX_CHARS } from './contract-primitives.ts';
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_TICK, TICK_NOTE_MAX_CHARS, type ChecklistTemplates } from '../workflow/checklists.ts';
import type { PersonRef } from '../workflow/workflow-terms.ts';

/** The largest attachment as base64 text: a little over the size limit, so the service (not the schema) names a file that is too large. */
const ATTACHMENT_MAX_BASE64 = Math.ceil((ATTACHMENT_MAX_BYTES * 2) / 3) * 4;

/** One item of a change's checklist as the change screen shows it. */
export interface ChecklistItemView {
  text: string;
  /** The item's current tick (null: never ticked). */
  tick: { ticked: boolean; by: PersonRef; at: string; revision: number; note: string | null } | null;
  /** Every file attached to the item, with who attached it and when, and whether its stored bytes still match its hash. */
  attachments: { name: string; sha256: string; size: number; mediaType: string; by: string; at: string; intact: boolean }[];
}

/** The checklists of one change. */
export interface ChecklistRunView {
  name: string;
  revision: number;
  sha256: string;
  executing: boolean;
  templates: {
    id: string;
    name: string;
    checkpoint: string;
    checkpointName: string;
    required: boolean;
    /** The checkpoint decision that closed this checklist (null: still open for ticks). */
    closedBy: { label: string; by: string; at: string } | null;
    sections: { name: string; items: ChecklistItemView[] }[];
    ticked: number;
    total: number;
  }[];
}

/** The checklist operations: name -> request and response schemas. */
export const CHECKLIST_OPERATIONS = {
  'checklists.get': {
    request: Empty,
    response: z.object({
      name: z.string(),
      revision: z.number(),
      sha256: z.string(),
      source: z.string(),
      adoptedBy: z.string().nullable(),
      adoptedAt: z.string().nullable(),
      templates: z.custom<ChecklistTemplates>(),
    }),
  },
  'checklists.adopt': {
    request: z
      .object({
        yaml: z.string().max(TEXT_FILE_MAX_CHARS),
        source: z.string().min(1).max(200),
        employeeId: z.string().min(1),
        password: Password,
      })
      .strict(),
    response: z.object({ revision: z.number(), name: z.string() }),
  },
  'checklists.forChange': {
    request: z.object({ changeId: z.string().min(1) }).strict(),
    response: z.custom<ChecklistRunView>(),
  },
  'checklists.tick': {
    request: z
      .object({
        changeId: z.string().min(1),
        employeeId: z.string().min(1),
        template: z.string().min(1).max(40),
        item: z.string().min(1).max(300),
        ticked: z.boolean(),
        note: z.string().max(TICK_NOTE_MAX_CHARS, `a note is at most ${TICK_NOTE_MAX_CHARS} characters`).optional(),
        attachments: z
          .array(
            z
              .object({
                name: z.string().trim().min(1).max(200),
                mediaType: z.string().max(200),
                dataBase64: z
                  .string()
                  .max(ATTACHMENT_MAX_BASE64, `an attachment is at most ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MiB`)
                  .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'the file must be sent as base64'),
              })
              .strict(),
          )
          .max(ATTACHMENTS_PER_TICK, `at most ${ATTACHMENTS_PER_TICK} files per tick`)
          .optional(),
      })
      .strict(),
    response: z.object({ status: z.string() }),
  },
  'checklists.attachment': {
    request: z.object({ changeId: z.string().min(1), sha256: Sha256 }).strict(),
    response: z.object({ name: z.string(), mediaType: z.string(), dataBase64: z.string() }),
  },
} as const;
