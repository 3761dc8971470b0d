/**
 * Evidence packs (issue #14): gathers everything a change's pack must carry from the journal, the blob store and
 * the resources, and writes the pack with the shared writer (src-shared/node/evidence). Reading only: exporting
 * records nothing and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveChangeRef } from '../../src-shared/common/workflow/change-ref.ts';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { JsonValue } from '../../src-shared/common/canonical-json.ts';
import type { ChangeState } from '../../src-shared/common/workflow/change-state.ts';
import type { SnapshotFile } from '../../src-shared/common/snapshot/snapshot.ts';
import { loadPolicyYaml } from '../../src-shared/common/workflow/policy-yaml.ts';
import { parseStoredRow, type StoredEventRow } from '../../src-shared/node/journal-verifier.ts';
import { readClockAttestation } from '../../src-shared/common/sync/clock-flags.ts';
import { PACK_FORMAT_RULES, type PackFormat } from '../../src-shared/node/evidence/pack-format.ts';
import { writePack, type PackInput } from '../../src-shared/node/evidence/pack-writer.ts';
import { verifyPack } from '../../src-shared/node/evidence/pack-verifier.ts';
import { EVIDENCE_PACK_MAX_BYTES, type PackVerdictView } from '../../src-shared/common/api/contract.ts';
import { APP_VERSION } from '../app-version.ts';
import { writeCsv } from '../../src-shared/common/csv-table.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import { attachmentProblems } from '../../src-shared/node/checklist-attachments.ts';
import type { EvidenceRepository } from '../store/evidence-repository.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';

/** Writes evidence packs of one data directory. */
export class EvidenceService {
  private readonly deps: {
    repo: EvidenceRepository;
    blobs: BlobStore;
    resourcesDir: string;
    device: { id: string; name: string };
    clock: () => Date;
    /** The plant CA certificates (PEM) this laptop trusts: the only anchors a pack is verified against. */
    trustedCas: () => { name: string; certificatePem: string }[];
  };

  constructor(deps: EvidenceService['deps']) {
    this.deps = deps;
  }

  /** What the pack of a change holds, read from the store (no pack written). */
  gather(changeRef: string, actor: Actor): PackInput {
    const { repo, blobs } = this.deps;
    const changeId = this.resolve(changeRef);
    if (!repo.hasChange(changeId)) {
      throw new BaselineError(
        'change-unknown',
        `There is no change ${changeId} in this data directory.`,
        'Check the change id (`baseline journal list` or the Changes screen shows them).',
      );
    }
    // The rows the pack holds, once each; why each is there (its role) the writer works out from the signed events
    // alone (pack-roles.ts), as the verifier does.
    const chosen = new Map<string, StoredEventRow>();
    const add = (row: StoredEventRow | undefined) => {
      if (row) chosen.set(`${row.device}/${String(row.seq)}`, row);
    };
    const changeRows = repo.changeRows(changeId);
    for (const r of changeRows) add(r);
    // Every restore of the change, value by value (restore.written), even one cut short or never proved. They name the
    // change, so they are its events (as the verifier counts them).
    const restoreRows = repo.changeRestoreRows(changeId);
    for (const r of restoreRows) add(r);
    const payloads = changeRows.map((r) => ({ type: r.type, p: JSON.parse(r.payload) as Record<string, JsonValue> }));
    const last = payloads.filter((x) => x.type === 'change.updated').at(-1);
    const state = last!.p['state'] as unknown as ChangeState;

    const snapshotShas = new Set<string>();
    const captureShas = new Set<string>();
    if ('execution' in state) for (const s of state.execution.snapshots ?? []) snapshotShas.add(s.snapshotSha256);
    // The re-captures proving manual rollbacks.
    if ('execution' in state) for (const m of state.execution.manualRollbacks ?? []) if (m.proof) snapshotShas.add(m.proof.snapshotSha256);
    for (const { type, p } of payloads) {
      if (type === 'restore.verified') {
        snapshotShas.add(String(p['beforeSnapshotSha256']));
        captureShas.add(String(p['captureSha256']));
        for (const r of repo.restoreRows(String(p['decisionId']))) add(r);
      }
      if (type === 'baseline.approved') snapshotShas.add(String(p['snapshotSha256']));
    }
    const snapshots: PackInput['snapshots'] = [];
    const artefacts: PackInput['artefacts'] = [];
    for (const sha of snapshotShas) {
      const row = repo.snapshotRow(sha);
      if (!row)
        throw new BaselineError(
          'evidence-snapshot-missing',
          `Snapshot ${sha.slice(0, 12)}… of change ${changeId} has no snapshot.captured event here.`,
          'Export the pack on the laptop that recorded the change.',
        );
      add(row);
      const bytes = blobs.get(String((JSON.parse(row.payload) as { fileSha256: string }).fileSha256));
      snapshots.push({ sha256: sha, bytes });
      const file = JSON.parse(bytes.toString('utf8')) as SnapshotFile;
      for (const a of file.document.artefacts ?? []) artefacts.push({ sha256: a.sha256, name: a.name, bytes: blobs.get(a.sha256) });
    }
    // Files attached to checklist ticks: refused by name when their stored bytes no longer match the recorded hash.
    const ticks = 'execution' in state ? (state.execution.ticks ?? []) : [];
    const damaged = attachmentProblems(ticks, null, (sha) => blobs.raw(sha));
    if (damaged.length > 0) {
      throw new BaselineError(
        'evidence-attachment-damaged',
        `The pack of change ${changeId} cannot be written: ${damaged.map((d) => d.message).join('; ')}.`,
        'Restore the data directory from a backup or sync it again from the central server; a pack is never written with altered evidence.',
        { attachments: damaged },
      );
    }
    const attachments = [...new Map(ticks.flatMap((t) => t.attachments ?? []).map((a) => [`${a.sha256}/${a.name}`, a])).values()].map(
      (a) => ({ sha256: a.sha256, name: a.name, bytes: blobs.get(a.sha256) }),
    );
    const captures: PackInput['captures'] = [];
    for (const sha of captureShas) {
      add(repo.captureRow(sha));
      captures.push({ sha256: sha, bytes: blobs.get(sha) });
    }
    for (const r of repo.trustRows()) add(r);
    // The plant's names of the change's controllers and their lines (the report prints them; format 3 on).
    for (const r of repo.plantRows(state.fields.targetControllers)) add(r);

    const revision = state.review?.evaluation.policyRevision;
    const adopted = revision === undefined ? undefined : repo.policyRow(revision);
    let policy: PackInput['policy'];
    if (adopted) {
      add(adopted);
      const p = JSON.parse(adopted.payload) as { revision: number; name: string; yaml: string };
      policy = { revision: p.revision, name: p.name, source: 'adopted', yaml: p.yaml };
    } else {
      const yaml = readFileSync(join(this.deps.resourcesDir, 'policy', 'default-policy.yaml'), 'utf8');
      const shipped = loadPolicyYaml(yaml, 'default-policy.yaml');
      policy = { revision: shipped.revision, name: shipped.name, source: 'shipped-default', yaml };
    }
    const checkpointsYaml = readFileSync(join(this.deps.resourcesDir, 'checklists', 'execution-checkpoints.yaml'), 'utf8');
    const checklistsYaml = this.checklistsRelied(payloads, add);

    // Each device's genesis (its key) and every event between the change's first and last event on that device.
    const devices = new Set([...chosen.values()].map((r) => r.device));
    for (const device of devices) {
      add(repo.chainRows(device, 1, 1)[0]);
      // Restore events name the change too: the verifier follows the chain through them as well.
      const seqs = [...changeRows, ...restoreRows].filter((r) => r.device === device).map((r) => Number(r.seq));
      if (seqs.length > 0) for (const r of repo.chainRows(device, Math.min(...seqs), Math.max(...seqs))) add(r);
    }
    // The central server's clock flags on any of these events, as this laptop pulled them (each checked against the plant CA then).
    const ids = new Set([...chosen.values()].map((r) => r.id));
    const clockAttestations = repo.clockAttestations().filter((a) => readClockAttestation(a)?.flags.some((f) => ids.has(f.eventId)));
    const events = [...chosen.values()].sort((a, b) => a.device.localeCompare(b.device) || Number(a.seq) - Number(b.seq));
    for (const row of events) {
      const parsed = parseStoredRow(row);
      if ('error' in parsed) {
        throw new BaselineError(
          'journal-unreadable',
          `Event seq ${String(row.seq)} of device ${row.device} cannot be read: ${parsed.error}.`,
          'Run `baseline journal verify`, then restore the store from a backup; a pack is never written from a damaged journal.',
        );
      }
    }
    return {
      changeId,
      exportedAt: this.deps.clock().toISOString(),
      exportedBy: { device: this.deps.device.id, deviceName: this.deps.device.name, user: actor.name, appVersion: APP_VERSION },
      events,
      snapshots,
      captures,
      artefacts,
      attachments,
      policy,
      checkpointsYaml,
      ...(checklistsYaml !== undefined ? { checklistsYaml } : {}),
      clockAttestations,
      crosswalkYaml: readFileSync(join(this.deps.resourcesDir, 'compliance', 'crosswalk.yaml'), 'utf8'),
    };
  }

  /** The checklist templates text the change's latest signature relied on: the adopted revision (its signed event added) or the shipped file. */
  private checklistsRelied(
    payloads: { type: string; p: Record<string, JsonValue> }[],
    add: (row: StoredEventRow | undefined) => void,
  ): string | undefined {
    const relied = payloads
      .map(({ p }) => (p['relied'] as { policy?: { checklists?: { sha256: string } } } | undefined)?.policy?.checklists)
      .filter((x) => x !== undefined)
      .at(-1);
    if (!relied) return undefined;
    const row = this.deps.repo.checklistsRow(relied.sha256);
    if (row) {
      add(row);
      return (JSON.parse(row.payload) as { yaml: string }).yaml;
    }
    return readFileSync(join(this.deps.resourcesDir, 'checklists', 'checklist-templates.yaml'), 'utf8');
  }

  /**
   * An auditor's sample: the changes created in [from, to] (dates or instants, the end date inclusive), optionally
   * on one line and of one class, each with its pack, and the register of them as CSV with each pack's hashes.
   */
  async exportSample(
    filter: { from: string; to: string; line?: string; class?: string },
    actor: Actor,
    write: (name: string, bytes: Buffer) => void,
  ): Promise<{ changes: number; index: string }> {
    const from = Date.parse(filter.from);
    const toDate = /^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? Date.parse(filter.to) + 86_400_000 : Date.parse(filter.to);
    if (Number.isNaN(from) || Number.isNaN(toDate) || toDate <= from) {
      throw new BaselineError(
        'sample-period-invalid',
        `The period ${filter.from} to ${filter.to} is not a valid period.`,
        'Give --from and --to as dates (2026-11-01) with --from before --to.',
      );
    }
    const lines = this.deps.repo.controllerLines();
    const chosen = this.deps.repo.changes().filter((c) => {
      const at = Date.parse(c.createdAt);
      if (at < from || at >= toDate) return false;
      if (filter.class && c.class !== filter.class) return false;
      const state = JSON.parse(c.state) as ChangeState;
      const changeLines = state.fields.targetControllers.map((id) => lines.get(id)).filter((l) => l !== undefined);
      return !filter.line || changeLines.includes(filter.line);
    });
    const rows: string[][] = [];
    for (const c of chosen) {
      const pack = await this.export(c.id, actor);
      const file = `${c.id}.zip`;
      write(file, pack.zip);
      const state = JSON.parse(c.state) as ChangeState;
      const changeLines = [...new Set(state.fields.targetControllers.map((id) => lines.get(id)).filter((l) => l !== undefined))];
      rows.push([
        c.id,
        c.title,
        c.class ?? '',
        c.status,
        changeLines.join(' '),
        state.requester.name,
        c.createdAt,
        c.updatedAt,
        file,
        sha256Hex(pack.zip),
        pack.manifestSha256,
      ]);
    }
    const index = writeCsv(
      ['change_id', 'title', 'class', 'status', 'lines', 'requester', 'created_at', 'updated_at', 'pack', 'pack_sha256', 'manifest_sha256'],
      rows,
    );
    write('index.csv', Buffer.from(index, 'utf8'));
    return { changes: chosen.length, index };
  }

  /** The change id a reference names: the id itself, or the plant number ("CR-0007"). */
  resolve(changeRef: string): string {
    return resolveChangeRef(changeRef, (n) => this.deps.repo.changeIdsByNumber(n));
  }

  /** The pack of a change (named by id or plant number), as zip bytes. */
  async export(changeId: string, actor: Actor): Promise<{ zip: Buffer; manifestSha256: string; members: number }> {
    const { zip, manifestSha256, members } = await writePack(this.gather(changeId, actor));
    return { zip, manifestSha256, members };
  }

  /**
   * Verifies a pack's bytes (a pack dropped on the Audit screen) against the plant CA certificates this laptop
   * trusts, exactly as `baseline verify` does. Reads only: nothing is written or recorded.
   */
  async verify(fileName: string, bytes: Buffer): Promise<PackVerdictView> {
    if (bytes.length > EVIDENCE_PACK_MAX_BYTES) {
      throw new BaselineError(
        'evidence-pack-too-large',
        `${fileName} is ${(bytes.length / 1024 / 1024).toFixed(1)} MiB; the app verifies packs of at most ${EVIDENCE_PACK_MAX_BYTES / 1024 / 1024} MiB.`,
        'Verify it with `baseline verify PACK.zip --ca plant-ca.pem`, which has no such limit.',
      );
    }
    const cas = this.deps.trustedCas();
    if (cas.length === 0) {
      throw new BaselineError(
        'evidence-no-trusted-ca',
        'This laptop trusts no plant CA, so no signature in the pack can be checked against one.',
        'Create the plant CA or import its certificate on the People screen, then verify the pack again.',
      );
    }
    const v = await verifyPack(bytes, { caPems: cas.map((c) => c.certificatePem) });
    return {
      ok: v.ok,
      fileName,
      changeId: v.changeId,
      number: v.number,
      title: v.title,
      status: v.status,
      manifestSha256: v.manifestSha256,
      format: v.format,
      counts: v.counts,
      signers: (v.context?.signatures ?? []).map((x) => ({
        name: x.signer.name,
        employeeId: x.signer.employeeId,
        roles: x.signer.roles,
        meaning: x.meaning,
        at: x.at,
      })),
      checks: [...(v.format ? [`the pack's format: ${PACK_FORMAT_RULES[v.format as PackFormat].words}`] : []), ...VERIFY_CHECKS],
      failures: v.failures,
      trustedCas: cas.map((c) => c.name),
    };
  }
}

/** What a passed verification has checked, in the words the Audit screen shows. */
const VERIFY_CHECKS = [
  'the zip: no unsafe, duplicate or over-size entries',
  'every member against SHA256SUMS and manifest.json (nothing changed, removed or added)',
  'every journal event: canonical text, hash, device signature and chain link',
  "every person's signature: statement, certificate chained to the trusted plant CA, valid at signing, not revoked",
  'every snapshot: its signatures and the event that recorded it',
  'every derived member (diffs, keys, certificates, revocations, crosswalk) recomputed byte for byte',
  'the policy rules: approvals and quorum, segregation of duties, checkpoints in order by allowed people, before/after snapshots, the window',
];
