/**
 * Sync conflicts of this change (two laptops that could not see each other recorded contradicting decisions):
 * each conflict in words, the records in conflict (both kept), and its signed resolution, or a form to resolve it
 * with a decision, a reason and the signature of someone holding a resolver role.
 */
import { useEffect, useState } from 'react';
import { errorOf, useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, useSigner } from '../../components/signed-form.tsx';
import { PlantTime } from '../../components/plant-time.tsx';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { CONFLICT_RESOLVER_ROLES } from '../../../src-shared/common/sync/journal-conflicts.ts';

type Conflict = OperationResponse<'sync.conflicts'>['conflicts'][number];

function ResolveForm({ conflict, onResolved }: { conflict: Conflict; onResolved(): void }) {
  const api = useAppStore((s) => s.api);
  const signer = useSigner();
  const [decision, setDecision] = useState('');
  const [reason, setReason] = useState('');
  async function sign(e: React.FormEvent) {
    e.preventDefault();
    if (!api) return;
    let err = null;
    try {
      await api.invoke('sync.resolveConflict', {
        conflictId: conflict.id,
        decision,
        reason,
        employeeId: signer.employeeId,
        password: signer.password,
      });
    } catch (x) {
      err = errorOf(x);
    }
    if (signer.settle(err, 'Resolution signed; it travels to the server and every laptop at the next sync.')) onResolved();
  }
  return (
    <form className="form" aria-label="Resolve the conflict" onSubmit={(e) => void sign(e)}>
      <fieldset className="decisions">
        <legend>Decision</legend>
        {conflict.options.map((o) => (
          <label key={o} className="inline">
            <input type="radio" name={`resolve-${conflict.id}`} checked={decision === o} onChange={() => setDecision(o)} /> {o}
          </label>
        ))}
      </fieldset>
      <label className="wide">
        Reason{' '}
        <textarea rows={2} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="what was found, and why this decision" />
      </label>
      <SignerFields label="Resolved by" {...signer} rule={{ roles: CONFLICT_RESOLVER_ROLES, what: 'resolve a sync conflict' }} />
      <button type="submit" disabled={!decision || !signer.employeeId || !signer.password}>
        Sign resolution
      </button>
      <Outcome error={signer.error} done={signer.done} />
    </form>
  );
}

/** The change's sync conflicts; nothing when it has none. `version` changes when the change does (refetch). */
export function SyncConflicts({ changeId, version, zone }: { changeId: string; version: string; zone: string }) {
  const api = useAppStore((s) => s.api);
  const [conflicts, setConflicts] = useState<Conflict[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    if (api)
      void api.invoke('sync.conflicts', { changeId }).then(
        (r) => {
          if (live) setConflicts(r.conflicts);
        },
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [api, changeId, version, tick]);
  if (conflicts.length === 0) return null;
  return (
    <section className="panel" aria-label="Sync conflicts">
      <h3>Sync conflicts</h3>
      {conflicts.map((c) => (
        <div key={c.id} data-testid="sync-conflict">
          <p className={c.resolution ? '' : 'bad-text'}>{c.message}</p>
          <ul>
            {c.records.map((r) => (
              <li key={r.eventId}>
                {r.what}, by {r.by}, <PlantTime iso={r.at} zone={zone} /> (device {r.device.slice(0, 8)}…, event {r.seq})
              </li>
            ))}
          </ul>
          {c.resolution ? (
            <p className="ok-text" data-testid="conflict-resolution">
              Resolved by {c.resolution.by}, <PlantTime iso={c.resolution.at} zone={zone} />: {c.resolution.decision}. Reason:{' '}
              {c.resolution.reason}
            </p>
          ) : (
            <>
              <p className="muted">{c.hint}</p>
              <ResolveForm conflict={c} onResolved={() => setTick((t) => t + 1)} />
            </>
          )}
        </div>
      ))}
    </section>
  );
}
