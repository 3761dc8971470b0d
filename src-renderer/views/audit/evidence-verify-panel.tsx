/** Verifying an evidence pack on the Audit screen against the plant CA, with what each signature means in words. */
import { useState, type DragEvent } from 'react';
import { errorOf, selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { readBase64 } from '../../components/file-transfer.ts';
import { EVIDENCE_PACK_MAX_BYTES, type PackVerdictView } from '../../../src-shared/common/api/contract.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';

/** A signature's meaning as words ("approve-with-conditions" -> "approve with conditions"). */
function meaningLabel(m: string): string {
  return m.replace(/-/g, ' ');
}

function Verdict({ v }: { v: PackVerdictView }) {
  const zone = useAppStore(selectPlantZone);
  const roles = useAppStore((st) => st.roles);
  const roleWords = (r: string) => roleName(roles, r);
  if (v.ok) {
    return (
      <div className="pack-verdict ok" role="status" data-testid="pack-verdict" data-ok="true">
        <p className="verify-result ok">Evidence pack verified: {v.fileName}</p>
        <dl>
          <dt>Change</dt>
          <dd>
            {v.number && <strong>{v.number} </strong>}“{v.title}” ({v.status}) <code className="muted">{v.changeId}</code>
          </dd>
          <dt>Manifest SHA-256</dt>
          <dd>
            <code className="wrap">{v.manifestSha256}</code>
          </dd>
          <dt>Contents</dt>
          <dd>
            {v.counts.members} members, {v.counts.events} journal events, {v.counts.signatures} signatures, {v.counts.snapshots} snapshots,{' '}
            {v.counts.approvals} approvals, {v.counts.checkpoints} checkpoints
          </dd>
          <dt>Trusted CA</dt>
          <dd>{v.trustedCas.join(', ')} (this laptop’s; the pack’s own copy is not trusted by itself)</dd>
        </dl>
        <h4>Signers ({v.signers.length})</h4>
        <table className="grid" data-testid="pack-signers">
          <thead>
            <tr>
              <th>Name</th>
              <th>Employee id</th>
              <th>Roles</th>
              <th>Meaning</th>
              <th>Signed</th>
            </tr>
          </thead>
          <tbody>
            {v.signers.map((s, i) => (
              <tr key={i}>
                <td>{s.name}</td>
                <td>{s.employeeId}</td>
                <td>{s.roles.map(roleWords).join(', ')}</td>
                <td>{meaningLabel(s.meaning)}</td>
                <td title={s.at}>{formatPlant(s.at, zone)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h4>Checked</h4>
        <ul className="checks">
          {v.checks.map((c) => (
            <li key={c}>✓ {c}</li>
          ))}
        </ul>
      </div>
    );
  }
  return (
    <div className="pack-verdict bad" role="status" data-testid="pack-verdict" data-ok="false">
      <p className="verify-result bad">
        Evidence pack NOT verified: {v.fileName}
        {v.changeId ? ` (change ${v.changeId})` : ''}: {v.failures.length} failure{v.failures.length === 1 ? '' : 's'}. Do not rely on this
        pack.
      </p>
      <table className="grid" data-testid="pack-failures">
        <thead>
          <tr>
            <th>Member</th>
            <th>Record</th>
            <th>What is wrong</th>
          </tr>
        </thead>
        <tbody>
          {v.failures.map((f, i) => (
            <tr key={i} data-testid="pack-failure">
              <td>
                <code>{f.member}</code>
              </td>
              <td>{f.record ?? '—'}</td>
              <td>{f.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Verify an evidence pack on the Audit screen: drop it or pick it; the host checks it against the plant CA this
 * laptop trusts, as `baseline verify` does, and the verdict shows as a person reads it.
 */
export function EvidenceVerifyPanel() {
  const api = useAppStore((s) => s.api);
  const [busy, setBusy] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const [verdict, setVerdict] = useState<PackVerdictView | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);

  async function verify(file: File | undefined) {
    if (!api || !file) return;
    setVerdict(null);
    setError(null);
    if (file.size > EVIDENCE_PACK_MAX_BYTES) {
      setError({
        code: 'evidence-pack-too-large',
        message: `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MiB; the app verifies packs of at most ${EVIDENCE_PACK_MAX_BYTES / 1024 / 1024} MiB.`,
        hint: 'Verify it with `baseline verify PACK.zip --ca plant-ca.pem`, which has no such limit.',
      });
      return;
    }
    setBusy(file.name);
    try {
      setVerdict(await api.invoke('evidence.verify', { fileName: file.name, packBase64: await readBase64(file) }));
    } catch (err) {
      setError(errorOf(err));
    } finally {
      setBusy(null);
    }
  }

  function onDrop(e: DragEvent<HTMLElement>) {
    e.preventDefault();
    setOver(false);
    const files = e.dataTransfer.files;
    if (files.length > 1) {
      setVerdict(null);
      setError({
        code: 'evidence-one-pack',
        message: `${files.length} files were dropped; one evidence pack is verified at a time.`,
        hint: 'Drop one pack (.zip).',
      });
      return;
    }
    void verify(files[0]);
  }

  return (
    <section className="panel evidence-verify" aria-label="Verify an evidence pack">
      <h3>Verify an evidence pack</h3>
      <div
        className={`drop-zone ${over ? 'over' : ''}`}
        data-testid="pack-drop-zone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p>{busy ? `Verifying ${busy}…` : 'Drop an evidence pack (.zip) here, or'}</p>
        <label className="file-button">
          Choose a pack…
          <input
            type="file"
            accept=".zip,application/zip"
            aria-label="Choose an evidence pack"
            disabled={busy !== null}
            onChange={(e) => {
              const input = e.currentTarget;
              void verify(input.files?.[0]).finally(() => {
                input.value = '';
              });
            }}
          />
        </label>
        <p className="muted">
          Checked here against the plant CA this Baseline trusts, as <code>baseline verify</code> does; nothing is recorded or kept.
        </p>
      </div>
      {error && <ErrorPanel error={error} title="The pack could not be verified" />}
      {verdict && <Verdict v={verdict} />}
    </section>
  );
}
