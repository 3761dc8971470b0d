/**
 * The checklists section of report.pdf (report-pdf.ts): each checklist run during the change's execution, every item
 * ticked or not, by whom (name and employee id), when (plant time with its zone), the note, the earlier ticks of the
 * item, and each attached file by name, size and SHA-256. Items come from the checklist templates revision the
 * change's signatures relied on (policy/checklist-templates.yaml in the pack); without it (a change signed before
 * templates existed) only the recorded ticks are listed.
 */
import { readYamlDocument } from '../../common/yaml-document.ts';
import type { ChangeState } from '../../common/workflow/change-state.ts';
import {
  ChecklistTemplatesSchema,
  closingDecision,
  templateApplies,
  templateItems,
  type ChecklistTemplate,
  type TickRecord,
} from '../../common/workflow/checklists.ts';

/** One checklist as the report prints it. */
export interface ReportChecklist {
  title: string;
  /** Who closed it (its checkpoint's decision), or why it is still open. */
  closed: string;
  /** Item, state, by, when, note (with earlier ticks). */
  items: string[][];
  /** File name, size and item (one cell), SHA-256 (on one line). */
  attachments: string[][];
}

const bytes = (n: number) => `${n.toLocaleString('en-US')} bytes`;

/** The checklists of a change, in template order (ticks of templates the revision lacks come last, by id). */
export function reportChecklists(state: ChangeState, templatesYaml: string | null, when: (iso: string) => string): ReportChecklist[] {
  if (!('execution' in state)) return [];
  const ticks = state.execution.ticks ?? [];
  const read = templatesYaml === null ? null : readYamlDocument(templatesYaml, 'checklist-templates.yaml', ChecklistTemplatesSchema);
  const byTemplate = new Map<string, TickRecord[]>();
  for (const t of ticks) byTemplate.set(t.template, [...(byTemplate.get(t.template) ?? []), t]);
  // Every template that applies to the change, and any other one with ticks recorded.
  const templates: ChecklistTemplate[] = read?.ok
    ? read.data.templates.filter((t) => templateApplies(t, state) || byTemplate.has(t.id))
    : [];
  const out: ReportChecklist[] = [];
  const person = (t: TickRecord) => `${t.by.name} (${t.by.id})`;
  const describe = (id: string, name: string, items: string[], template: ChecklistTemplate | null) => {
    const records = byTemplate.get(id) ?? [];
    const rows = items.map((item) => {
      const history = records.filter((r) => r.item === item);
      const latest = history.at(-1);
      if (!latest) return [item, 'not ticked', '-', '-', '-'];
      const earlier = history
        .slice(0, -1)
        .map((r) => `${r.ticked ? 'ticked' : 'unticked'} by ${person(r)} ${when(r.at)}`)
        .join('; ');
      const note = [latest.note ?? '', earlier ? `Earlier: ${earlier}` : ''].filter((x) => x !== '').join('\n') || '-';
      return [item, latest.ticked ? 'ticked' : 'unticked', person(latest), when(latest.at), note];
    });
    const attachments = records.flatMap((r) =>
      (r.attachments ?? []).map((a) => [
        `${a.name}, ${bytes(a.size)}\nto "${r.item}", ${r.ticked ? 'ticked' : 'unticked'} ${when(r.at)}`,
        a.sha256,
      ]),
    );
    const ticked = rows.filter((r) => r[1] === 'ticked').length;
    const decision = template ? closingDecision(template, state.execution.checkpoints ?? []) : undefined;
    out.push({
      title: `${name}: ${ticked} of ${items.length} item(s) ticked${template?.required ? ' (required before its checkpoint)' : ''}`,
      closed: decision
        ? `Closed by the ${decision.name} checkpoint: ${decision.label} by ${decision.by.name} (${decision.by.id}), ${when(decision.at)}.`
        : template
          ? `Open: its checkpoint (${template.checkpoint}) has not been decided.`
          : 'The templates revision with this checklist is not in the pack: only the recorded ticks are listed.',
      items: rows,
      attachments,
    });
  };
  for (const t of templates) describe(t.id, t.name, templateItems(t), t);
  const known = new Set(templates.map((t) => t.id));
  for (const [id, records] of [...byTemplate].filter(([id]) => !known.has(id)).sort(([a], [b]) => a.localeCompare(b))) {
    describe(id, id, [...new Set(records.map((r) => r.item))], null);
  }
  return out;
}
