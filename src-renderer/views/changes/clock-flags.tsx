/**
 * Clock flags on this change's events: the central server found the recording laptop's clock implausible when it
 * synced (off beyond the policy's limit, set back, or ahead of the server's). The events keep the times their
 * laptop signed; each flag says how far to trust them. Nothing to do here: the flag is the server's signed word.
 */
import { useEffect, useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';

type Flag = OperationResponse<'sync.clockFlags'>['flags'][number];

/** The change's clock flags; nothing when it has none. `version` changes when the change does (refetch). */
export function ClockFlags({ changeId, version }: { changeId: string; version: string }) {
  const api = useAppStore((s) => s.api);
  const [flags, setFlags] = useState<Flag[]>([]);
  useEffect(() => {
    let live = true;
    if (api)
      void api.invoke('sync.clockFlags', { changeId }).then(
        (r) => {
          if (live) setFlags(r.flags);
        },
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [api, changeId, version]);
  if (flags.length === 0) return null;
  return (
    <section className="panel warning" aria-label="Clock flags" data-testid="clock-flags">
      <h3>Clock flags</h3>
      <p className="muted">
        The central server flagged these events of this change when the laptop synced. The times stay as the laptop signed them.
      </p>
      <ul>
        {flags.map((f) => (
          <li key={`${f.attestationId}:${f.seq}:${f.kind}`}>{f.words}</li>
        ))}
      </ul>
    </section>
  );
}
