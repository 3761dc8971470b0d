/** The Audit domain: lists the journal with each event's verification state, and verifies it whole. */
import type { EventView, OperationResponse } from '../../src-shared/common/api/contract.ts';
import {
  ActorSchema,
  summariseVerifyReport,
  type Actor,
  type AttachmentFinding,
  type JournalVerifyReport,
} from '../../src-shared/common/journal-event.ts';
import { withAttachments } from './attachment-audit.ts';
import type { JournalFilter, JournalRepository, PagedRow } from '../store/journal-repository.ts';
import type { AuditEventView } from '../../src-shared/common/api/audit-contract.ts';
import { signersOf } from '../../src-shared/common/journal-signers.ts';
import type { EventHub } from './event-hub.ts';

function parseOr<T>(text: string, fallback: (raw: string) => T): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback(text);
  }
}

/** Reads and verifies the journal for people, and tells every connected screen about each event appended. */
export class JournalService {
  private readonly journal: JournalRepository;
  /** The checklist attachments whose stored bytes are missing or altered (the blob store is outside the journal). */
  private readonly attachments: () => AttachmentFinding[];

  constructor(journal: JournalRepository, hub: EventHub, attachments: () => AttachmentFinding[]) {
    this.journal = journal;
    this.attachments = attachments;
    // Every recorded change of state is an event: the screens refresh what it touches (ARCHITECTURE §2, pushed events).
    journal.onAppended((event) => hub.emit('journal.appended', { id: event.id, device: event.device, seq: event.seq, type: event.type }));
  }

  /** Newest-first page of events with per-event verification (hash, signature, link to its predecessor). */
  list(limit: number, beforeRowid?: number, excludeDevice?: string): OperationResponse<'journal.list'> {
    const rows = this.journal.page(limit + 1, beforeRowid, excludeDevice);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const checks = this.journal.verifyRows(page);
    return {
      total: this.journal.count(excludeDevice),
      events: page.map((row) => this.view(row, checks.get(row.id) ?? [])),
      nextBeforeRowid: more ? page[page.length - 1]!.rowid : null,
    };
  }

  /**
   * Newest-first page of the events matching `filter`, each with the people who signed it (a snapshot's signer named
   * by certificate gets their employee id from the people enrolled here).
   */
  search(
    filter: JournalFilter,
    limit: number,
    beforeRowid?: number,
  ): { total: number; events: AuditEventView[]; nextBeforeRowid: number | null; types: string[] } {
    const { rows, total } = this.journal.pageFiltered(filter, limit + 1, beforeRowid);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const checks = this.journal.verifyRows(page);
    const byFingerprint = this.journal.employeeIdsByFingerprint();
    return {
      total,
      events: page.map((row) => {
        const view = this.view(row, checks.get(row.id) ?? []);
        const signers = signersOf(row.type, view.payload).map((s) => ({
          name: s.name,
          employeeId: s.employeeId ?? byFingerprint.get(s.fingerprint) ?? null,
          as: s.as,
        }));
        return { ...view, signers };
      }),
      nextBeforeRowid: more ? page[page.length - 1]!.rowid : null,
      types: this.journal.eventTypes(),
    };
  }

  private view(row: PagedRow, problems: ReturnType<JournalRepository['verifyRows']> extends Map<string, infer P> ? P : never): EventView {
    const actorRaw = parseOr(row.actor, () => null);
    const actor = ActorSchema.safeParse(actorRaw);
    return {
      rowid: row.rowid,
      id: row.id,
      device: row.device,
      seq: typeof row.seq === 'number' ? row.seq : String(row.seq),
      type: row.type,
      actor: actor.success ? actor.data : null,
      at: row.at,
      hash: row.hash,
      prev: row.prev,
      payload: parseOr(row.payload, (raw) => ({ unreadable: raw })),
      verification: problems.length === 0 ? { state: 'verified' } : { state: 'failed', problems },
    };
  }

  /** Verifies every event without recording anything (CLI). */
  verifyQuietly(): JournalVerifyReport {
    return withAttachments(this.journal.verifyAll(), this.attachments());
  }

  /** Verifies every event (and every table against it) and records that it was done, by whom and with what result. */
  verifyAndRecord(actor: Actor): OperationResponse<'journal.verify'> {
    const report = withAttachments(this.journal.verifyAll(), this.attachments());
    const first = report.firstProblem;
    const attachment = report.attachments?.[0];
    this.journal.append(
      'journal.verified',
      {
        ok: report.ok,
        eventsChecked: report.events,
        problems: report.problems.length,
        firstProblem: first
          ? `device ${first.device} seq ${first.seq}: ${first.kind}`
          : report.projections.length > 0
            ? `tables differ from the journal: ${report.projections.map((d) => d.table).join(', ')}`
            : attachment
              ? `checklist attachment ${attachment.problem}: ${attachment.number ?? attachment.changeId}, ${attachment.item}, ${attachment.name}`
              : null,
      },
      actor,
    );
    return { ...report, summary: summariseVerifyReport(report) };
  }
}
