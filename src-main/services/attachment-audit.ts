/**
 * The bytes of every checklist attachment in the data directory, checked again (`baseline journal verify`, the Audit
 * screen's whole-journal check): a tick records each file by its SHA-256 and every later checkpoint signature relies
 * on that hash, but the bytes live in the blob store outside the signed journal. Each file missing or hashing to
 * something else is named by change, checklist, item and file name, with what to do.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AttachmentFinding, JournalVerifyReport } from '../../src-shared/common/journal-event.ts';
import type { ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import { ChecklistTemplatesSchema } from '../../src-shared/common/workflow/checklists.ts';
import { attachmentProblems } from '../../src-shared/node/checklist-attachments.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { EvidenceRepository } from '../store/evidence-repository.ts';
import { SHIPPED_CHECKLISTS } from './checklist-template-service.ts';

/** Each template's name by id, from the shipped templates and every revision the plant adopted (a later name wins). */
function templateNames(repo: EvidenceRepository, resourcesDir: string): Map<string, string> {
  const names = new Map<string, string>();
  const texts: string[] = [];
  try {
    texts.push(readFileSync(join(resourcesDir, SHIPPED_CHECKLISTS), 'utf8'));
  } catch {
    // Without the shipped file a checklist is named by its id.
  }
  texts.push(...repo.adoptedChecklistsYaml());
  for (const text of texts) {
    try {
      const doc = ChecklistTemplatesSchema.safeParse(parseYaml(text));
      if (doc.success) for (const t of doc.data.templates) names.set(t.id, t.name);
    } catch {
      // An unreadable revision names nothing.
    }
  }
  return names;
}

/** Every checklist attachment of every change whose stored bytes are missing or altered. */
export function auditAttachments(repo: EvidenceRepository, blobs: BlobStore, resourcesDir: string): AttachmentFinding[] {
  const names = templateNames(repo, resourcesDir);
  const findings: AttachmentFinding[] = [];
  for (const row of repo.changes()) {
    let state: ChangeState;
    try {
      state = JSON.parse(row.state) as ChangeState;
    } catch {
      continue; // the table is compared with the journal by the projection check
    }
    const ticks = 'execution' in state ? (state.execution.ticks ?? []) : [];
    if (ticks.length === 0) continue;
    const change = state.number ? `${state.number} "${state.fields.title}"` : `change ${row.id} "${state.fields.title}"`;
    for (const p of attachmentProblems(ticks, null, (sha) => blobs.raw(sha))) {
      const checklist = names.get(p.template) ?? p.template;
      const blob = `blobs/${p.sha256.slice(0, 2)}/${p.sha256.slice(2)}`;
      const what =
        p.problem === 'missing'
          ? `is missing from this data directory (${blob})`
          : `was altered after it was attached: its bytes (${blob}) hash to ${p.actual!.slice(0, 12)}…, not to ${p.sha256.slice(0, 12)}… that the tick recorded and the checkpoint signatures relied on`;
      findings.push({
        changeId: row.id,
        number: state.number ?? null,
        checklist,
        item: p.item,
        name: p.name,
        sha256: p.sha256,
        problem: p.problem,
        actualSha256: p.actual,
        message: `${change}, checklist "${checklist}", item "${p.item}": the attached file "${p.name}" ${what}`,
        hint: `Put the original file back as ${blob}: it must hash to ${p.sha256} (the change's evidence pack holds it as attachments/${p.sha256}/…, as does every laptop and the central server that synced the change), or restore this data directory from an evidence backup (\`baseline restore\`). Until then the change's evidence pack is not written.`,
      });
    }
  }
  return findings;
}

/** The journal's report with the attachment findings added: any finding fails it. */
export function withAttachments(report: JournalVerifyReport, attachments: AttachmentFinding[]): JournalVerifyReport {
  return { ...report, ok: report.ok && attachments.length === 0, attachments };
}
