/**
 * report.pdf (issue #14), written with pdfkit: the change as a person files it. A summary page; every signature
 * as 21 CFR 11.50 shows it (printed name, date and time with the plant's time zone, meaning); approvals and
 * quorum; the window and any override; the checkpoints with their checklists; the checklists ticked during the
 * execution with their notes and attached files (report-checklists.ts); the before/after and
 * proposed-vs-actual diff tables (long tables go on over pages with their header repeated); restore writes value
 * by value with their read-back; the compliance crosswalk. Every page carries its number and the SHA-256 of manifest.json (the
 * manifest cannot list the report that prints its hash: SHA256SUMS covers both).
 */
import PDFDocument from 'pdfkit';
import { DateTime } from 'luxon';
import type { JsonValue } from '../../common/canonical-json.ts';
import { countApprovals } from '../../common/workflow/approval-progress.ts';
import { formatDiffValue } from '../../common/diff/diff-value-format.ts';
import type { PackContext } from './pack-context.ts';
import { changeNumber } from '../../common/workflow/change-state.ts';
import type { ClauseResult } from './crosswalk.ts';
import { eventRecord } from './pack-format.ts';
import { packRestores, restoreValues } from './pack-restores.ts';
import { reportChecklists } from './report-checklists.ts';
import { controllerNames, controllerWords } from './pack-roles.ts';
import { MARGIN, ReportWriter } from './report-writer.ts';
import { breakGlassWords, roleWords } from './pack-wording.ts';

/** Rows of one diff table printed (the pack's JSON diff holds them all): past this a report stops being read. */
const MAX_TABLE_ROWS = 2000;

/**
 * "2026-11-27 23:10:00 CST (UTC-06:00)": a time in the plant's zone, with the zone and offset. The zone's short name
 * is always the en-US one, whatever the machine's language: the verifier renders the report again and compares bytes.
 */
export function plantTime(iso: string, zone: string): string {
  const t = DateTime.fromISO(iso, { zone: 'utc', locale: 'en-US' }).setZone(zone);
  return t.isValid ? `${t.toFormat('yyyy-LL-dd HH:mm:ss')} ${t.offsetNameShort ?? ''} (UTC${t.toFormat('ZZ')})` : iso;
}

const MEANING_WORDS: Record<string, string> = {
  'captured by': 'captured by (snapshot author)',
  approved: 'approved',
  rejected: 'rejected',
  reviewed: 'reviewed',
  go: 'GO',
  'no-go': 'NO-GO',
  rollback: 'rollback',
  responsible: 'responsible (filed or carried out)',
};

/** Renders the report. */
export async function renderReport(ctx: PackContext, manifestSha256: string, crosswalk: ClauseResult[]): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    autoFirstPage: true,
    // Streams as text: deflate output differs between zlib builds, and the verifier compares the report's bytes.
    compress: false,
    info: {
      Title: `Change evidence: ${ctx.state.fields.title}`,
      Author: 'Baseline',
      Subject: `Change ${changeNumber(ctx.state)} (${ctx.changeId})`,
      CreationDate: new Date(ctx.exportedAt),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  const w = new ReportWriter(doc);
  const zone = ctx.timeZone;
  const when = (iso: string | null | undefined) => (iso ? plantTime(iso, zone) : '-');
  const s = ctx.state;
  const execution = 'execution' in s ? s.execution : null;
  const ev = s.review?.evaluation ?? null;
  // Roles and break-glass methods as the pack's format words them (pack-wording.ts): by name from format 4.
  const role = (id: string) => roleWords(ctx.wording, id);
  // Controllers as the plant model names them (its signed events in the pack), with the id every record uses.
  const names = controllerNames(ctx.events);
  const controller = (id: string) => {
    const c = names.get(id);
    return c ? `${c.name}${c.line ? ` on line ${c.line.id}` : ''}` : id;
  };

  // Summary page.
  doc.font('Helvetica-Bold').fontSize(18).text('Change evidence report', MARGIN, MARGIN);
  doc.moveDown(0.2).font('Helvetica').fontSize(12).text(s.fields.title);
  doc.moveDown(0.6);
  const outcome = s.status === 'closed' ? `closed, ${s.closure.outcome} (${when(s.closure.at)}, ${s.closure.by.name})` : s.status;
  w.facts([
    ['Change', `${changeNumber(ctx.state)} (id ${ctx.changeId})`],
    ['Outcome', outcome],
    ['Class', `${s.fields.class ?? '-'}${ev ? `; lines ${ev.lines.map((l) => `${l.id} (tier ${l.tier})`).join(', ')}` : ''}`],
    ['What', s.fields.description || '-'],
    ['Why', s.fields.justification || '-'],
    ['Where', s.fields.targetControllers.map((id) => (names.has(id) ? `${controllerWords(names, id)}\nid ${id}` : id)).join('\n') || '-'],
    ['Risk', ev?.risk ? `score ${ev.risk.score} (${ev.risk.band}): ${ev.risk.reason}` : 'not scored'],
    ['Requested by', `${s.requester.name} (${s.requester.id}), ${when(s.createdAt)}`],
    ['Rollback plan', s.fields.rollbackPlan || '-'],
    ['Test plan', s.fields.testPlan || '-'],
    ['References', [s.fields.itsmTicket, s.fields.mocReference].filter(Boolean).join(', ') || '-'],
    [
      'Policy',
      `${ctx.policy.name}, revision ${ctx.policy.revision} (${ctx.policy.source === 'adopted' ? 'adopted by the plant' : 'shipped default'})`,
    ],
    [
      'Pack written',
      `${when(ctx.exportedAt)} by ${ctx.exportedBy.user} on ${ctx.exportedBy.deviceName} (Baseline ${ctx.exportedBy.appVersion})`,
    ],
    ['Time zone', `${zone} (every time below is plant time, with its offset from UTC)`],
  ]);
  w.para(
    'How to check this report: `baseline verify pack.zip --ca plant-ca.pem`, or without Baseline the procedure in VERIFY.md (sha256sum and openssl only). The SHA-256 printed at the foot of each page must equal `sha256sum manifest.json`.',
    { color: '#333' },
  );

  // Signatures.
  doc.addPage();
  w.heading('Signatures (21 CFR 11.50: printed name, date and time, meaning)');
  w.table(
    [
      { header: '#', width: 4 },
      { header: 'Printed name (employee id)', width: 24 },
      { header: 'Date and time', width: 24 },
      { header: 'Meaning', width: 16 },
      { header: 'Record signed', width: 32 },
    ],
    ctx.signatures.map((x) => [
      String(x.n),
      `${x.signer.name} (${x.signer.employeeId})\n${x.signer.roles.map(role).join(', ')}`,
      when(x.at),
      MEANING_WORDS[x.meaning] ?? x.meaning,
      `${x.source.record}\n${x.source.member}`,
    ]),
  );

  // Approvals and quorum.
  w.heading('Approvals and quorum');
  if (ev && s.review) {
    // Format 4 names the group an escalation approval stands in for as the evaluation names it.
    const inPlaceOf = (group: string) => (ctx.wording.named ? (ev.approvals.find((r) => r.group === group)?.name ?? group) : group);
    const progress = countApprovals(ev.approvals, s.review.approvals, ev.dualControl.required, role);
    w.table(
      [
        { header: 'Approval group', width: 20 },
        { header: 'Roles', width: 24 },
        { header: 'Quorum', width: 8 },
        { header: 'Counted approvals (and what is missing)', width: 40 },
        { header: 'Met', width: 8 },
      ],
      // "Met" holds one short word that fits its column; what is missing is said in full beside the approvals.
      progress.requirements.map((r) => [
        r.requirement.name,
        r.requirement.roles.map(role).join(', '),
        String(r.requirement.quorum),
        [
          ...r.counted.map(
            (a) => `${a.by.name} as ${role(a.role)}, ${when(a.at)}${a.inPlaceOf ? ` (in place of ${inPlaceOf(a.inPlaceOf)})` : ''}`,
          ),
          ...(r.satisfied ? [] : [`Missing: ${r.missing}`]),
        ].join('\n') || '-',
        r.satisfied ? 'yes' : 'NO',
      ]),
      { shade: (row) => (row[4] === 'NO' ? '#fdecea' : null) },
    );
    for (const a of s.review.approvals) {
      if (a.conditions.length > 0) w.para(`${a.by.name} approved with conditions: ${a.conditions.join('; ')}`);
    }
    w.para(
      `Dual control: ${ev.dualControl.required ? (progress.dualControlMet ? 'required, met' : 'required, NOT met') : 'not required'}. Submitted ${when(s.review.submittedAt)}.`,
    );
  } else w.para('The change was never submitted for approval.');
  if (execution?.breakGlass) {
    const b = execution.breakGlass;
    w.para(
      `Break-glass: ${breakGlassWords(ctx.wording, b.approver, b.method)}, ${when(b.at)}: ${b.reason}. Retrospective review ${execution.retrospective?.completedAt ? `done ${when(execution.retrospective.completedAt)}` : `due ${when(execution.retrospective?.dueAt)}, NOT done`}.`,
    );
  }

  // Window and override.
  w.heading('Change window and overrides');
  const slot = 'slot' in s ? s.slot : null;
  w.facts([
    ['Booked slot', slot ? `${when(slot.start)} to ${when(slot.end)} (booked by ${slot.by.name})` : 'none'],
    [
      'Work started',
      execution
        ? `${when(execution.startedAt)} by ${execution.executor.name}${execution.witness ? `, witnessed by ${execution.witness.name}` : ''}`
        : 'not started',
    ],
    [
      'Inside the slot',
      execution && slot
        ? Date.parse(execution.startedAt) >= Date.parse(slot.start) && Date.parse(execution.startedAt) <= Date.parse(slot.end)
          ? 'yes'
          : 'NO'
        : '-',
    ],
    ['Staging record', execution?.stagingRecord ?? '-'],
  ]);
  const overrides = [...(slot?.overrides ?? []), ...(execution?.overrides ?? [])];
  w.table(
    [
      { header: 'Override', width: 20 },
      { header: 'Approved by', width: 25 },
      { header: 'When', width: 25 },
      { header: 'Reason', width: 30 },
    ],
    overrides.map((o) => [`${o.rule}${o.blackout ? ` (${o.blackout})` : ''}`, `${o.by.name} as ${role(o.role)}`, when(o.at), o.reason]),
  );

  // Checkpoints.
  w.heading('Go/no-go checkpoints');
  for (const c of execution?.checkpoints ?? []) {
    w.sub(`${c.name}: ${c.label} by ${c.by.name} (${role(c.role)}), ${when(c.at)}`);
    w.table(
      [
        { header: 'Checklist item', width: 85 },
        { header: 'Confirmed', width: 15 },
      ],
      c.items.map((i) => [i.text, i.confirmed ? 'yes' : 'NO']),
    );
    if (c.comment) w.para(`Comment: ${c.comment}`);
  }
  if ((execution?.checkpoints ?? []).length === 0) w.para('No checkpoint was signed.');

  // Checklists run during the execution: every item ticked or not, by whom and when, notes, attached files by hash.
  w.ensure(140); // the heading stays with its first checklist
  w.heading('Checklists (ticked during the execution)');
  const checklists = reportChecklists(s, ctx.checklistsYaml, when);
  if (checklists.length === 0) w.para('No checklist was run on this change.');
  for (const c of checklists) {
    w.sub(c.title);
    w.para(c.closed, { color: '#333' });
    w.table(
      [
        { header: 'Item', width: 30 },
        { header: 'State', width: 9 },
        { header: 'By (employee id)', width: 17 },
        { header: 'When (plant time)', width: 19 },
        { header: 'Note', width: 25 },
      ],
      c.items,
      { shade: (row) => (row[1] === 'ticked' ? null : '#f1f3f5') },
    );
    if (c.attachments.length > 0) {
      w.table(
        [
          { header: 'Attached file, size, item', width: 38 },
          { header: 'SHA-256 (the pack holds the file as attachments/<SHA-256>/<file>)', width: 62 },
        ],
        c.attachments,
      );
    }
  }

  // Snapshots and diffs.
  w.heading('Before- and after-snapshots');
  w.table(
    [
      { header: 'Phase', width: 8 },
      { header: 'Controller', width: 26 },
      { header: 'Snapshot SHA-256', width: 36 },
      { header: 'Captured', width: 30 },
    ],
    (execution?.snapshots ?? []).map((x) => [
      x.phase,
      names.has(x.controllerId) ? `${controller(x.controllerId)}\n${x.controllerId}` : x.controllerId,
      x.snapshotSha256,
      `${when(x.capturedAt)} by ${x.capturedBy}`,
    ]),
  );
  for (const d of ctx.diffs) {
    w.sub(`Before/after diff of ${controller(d.controllerId)}: ${d.beforeAfter.summary.configDifferences} configuration difference(s)`);
    w.table(
      [
        { header: 'Tag', width: 30 },
        { header: 'Kind', width: 12 },
        { header: 'Before', width: 22 },
        { header: 'After', width: 22 },
        { header: 'Safety', width: 7 },
        { header: 'Live', width: 7 },
      ],
      d.beforeAfter.rows
        .slice(0, MAX_TABLE_ROWS)
        .map((r) => [r.tag, r.kind, formatDiffValue(r.before), formatDiffValue(r.after), r.safety ? 'yes' : '', r.live ? 'live' : '']),
      { shade: (row) => (row[4] === 'yes' ? '#fdecea' : null) },
    );
    if (d.beforeAfter.rows.length > MAX_TABLE_ROWS)
      w.para(`… and ${d.beforeAfter.rows.length - MAX_TABLE_ROWS} more rows: every row is in diffs/${d.controllerId}/before-after.json.`, {
        bold: true,
      });
    w.sub(
      `Proposed versus actual on ${controller(d.controllerId)}: ${d.proposedVsActual.matches ? 'matches the approved proposal' : 'DOES NOT match the approved proposal'}`,
    );
    w.table(
      [
        { header: 'Tag', width: 30 },
        { header: 'Status', width: 14 },
        { header: 'Reason', width: 56 },
      ],
      d.proposedVsActual.findings.map((f) => [f.tag, f.status, f.reason]),
      { shade: (row) => (row[1] === 'approved' ? null : '#fff4d6') },
    );
  }

  // Restores, value by value: each value written and read back as it happened (restore.written), then the outcome.
  const restores = packRestores(ctx.events).filter(
    (r) => r.started !== null || r.written.length > 0 || r.executed !== null || r.verified !== null,
  );
  if (restores.length > 0) {
    w.heading('Restore writes and read-back, value by value');
    for (const r of restores) {
      const ex = r.executed?.body.payload as { complete?: boolean } | undefined;
      const state = r.executed ? (ex?.complete ? 'complete' : 'INCOMPLETE') : 'CUT SHORT (no outcome recorded)';
      w.sub(
        `Decision ${r.decisionId} on ${controller(r.controllerId)}: ${r.signed.length} value(s) signed, ${r.written.length} written, ${state}`,
      );
      w.table(
        [
          { header: 'Written at', width: 22 },
          { header: 'Tag', width: 26 },
          { header: 'Outcome', width: 18 },
          { header: 'Written (raw)', width: 17 },
          { header: 'Read back (raw)', width: 17 },
        ],
        r.written.map((x) => [when(x.at), x.tag, x.status, x.expectedRaw, x.readBackRaw ?? '-']),
        { shade: (row) => (row[2] === 'written-verified' ? null : '#fdecea') },
      );
      // The signed values with no restore.written event: in flight when the restore failed, never sent, or (a restore
      // that never started) not written.
      const values = restoreValues(r).filter((v) => !r.written.some((x) => x.tag === v.tag));
      const listed: [string, (v: (typeof values)[number]) => boolean][] = [
        ['Outcome unknown (being written when the restore failed)', (v) => v.outcome === 'outcome-unknown'],
        ['Not attempted', (v) => v.outcome === 'not-attempted'],
        ['Written and read back (no value-by-value record)', (v) => v.outcome === 'written-verified'],
        ['Failed (no value-by-value record)', (v) => v.outcome === 'write-failed' || v.outcome === 'readback-mismatch'],
        ['Signed but not recorded as written', (v) => v.outcome === null],
      ];
      for (const [label, is] of listed) {
        const tags = values.filter(is).map((v) => v.tag);
        if (tags.length > 0) w.para(`${label}: ${tags.join(', ')}.`);
      }
      if (r.verified) {
        const p = r.verified.body.payload as Record<string, JsonValue>;
        w.para(
          `${eventRecord(r.verified)}: controller ${String(p['controllerId'])} read again ${when(r.verified.body.at)}: ${p['matchesBefore'] ? 'matches its before-snapshot' : 'still differs from its before-snapshot'}.`,
        );
      }
    }
  }

  // Clock flags: the event keeps the time its laptop signed; the central server's flag says how far to trust it.
  w.heading('Clock flags (central server, signed by the plant CA)');
  if (ctx.clockFlags.length === 0)
    w.para(
      'No event in this pack carries a clock flag: the central server found no implausible device time among them (or the laptop has not synced them yet).',
    );
  else {
    w.table(
      [
        { header: 'Event', width: 26 },
        { header: 'Flag', width: 74 },
      ],
      ctx.clockFlags.map((f) => [`journal/${f.device}/${String(f.seq).padStart(8, '0')}.json`, f.words]),
      { shade: () => '#fff4d6' },
    );
  }

  // Crosswalk.
  doc.addPage();
  w.heading('Compliance crosswalk (paraphrased clauses; read the standards for their text)');
  w.table(
    [
      { header: 'Framework, clause', width: 18 },
      { header: 'Requirement (paraphrase)', width: 30 },
      { header: 'Status', width: 12 },
      { header: 'Records of this change, or why not', width: 40 },
    ],
    crosswalk.map((c) => [`${c.framework} ${c.clause}\n${c.title}`, c.text, c.status, [...c.records, ...c.why].join('\n')]),
    { shade: (row) => (row[2] === 'not-satisfied' ? '#fdecea' : row[2] === 'satisfied' ? null : '#f1f3f5') },
  );

  // Footer on every page: page numbers and the manifest's hash.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0; // the footer sits in the bottom margin; without this pdfkit would start a new page
    const y = doc.page.height - MARGIN - 10;
    doc.font('Helvetica').fontSize(7).fillColor('#444');
    doc.text(`manifest.json SHA-256 ${manifestSha256}`, MARGIN, y, {
      width: doc.page.width - 2 * MARGIN - 70,
      lineBreak: false,
      height: 10,
    });
    doc.text(`Page ${i + 1} of ${range.count}`, doc.page.width - MARGIN - 70, y, {
      width: 70,
      align: 'right',
      lineBreak: false,
      height: 10,
    });
    doc.text(`Change ${changeNumber(ctx.state)} · ${ctx.changeId}`, MARGIN, y + 9, { width: 300, lineBreak: false, height: 10 });
  }
  doc.end();
  await done;
  return Buffer.concat(chunks);
}
