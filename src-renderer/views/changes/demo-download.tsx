/** Demo only: stands in for the vendor-software download by setting a change's proposed values on its simulated controller. */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import type { Result } from '../../state/app-store.ts';

/**
 * Demo only, during execution: stands in for the engineer's download with the vendor's software by setting the
 * change's proposed values on its simulated controller (Baseline itself never writes except by a signed restore).
 */
export function DemoDownload({ changeId, proposed }: { changeId: string; proposed: { tag: string; to: unknown }[] }) {
  const apply = useAppStore((s) => s.applyProposedOnSimulator);
  const [outcome, setOutcome] = useState<Result<string> | null>(null);
  return (
    <section className="panel demo-hint" aria-label="Demo: the download">
      <h3>DEMO: the download</h3>
      <p>
        In a plant the engineer now downloads the change with the vendor&apos;s software. Here, set the proposed values on the simulated
        controller ({proposed.map((p) => `${p.tag} → ${String(p.to)}`).join(', ')}), then capture it again for the after-snapshot.
      </p>
      <button type="button" data-write onClick={() => void apply(changeId).then(setOutcome)}>
        Set the proposed values on the simulator
      </button>
      {outcome && 'value' in outcome && (
        <p className="ok-text" role="status">
          {outcome.value}
        </p>
      )}
      {outcome && 'error' in outcome && (
        <p className="bad-text" role="alert">
          {outcome.error.message} {outcome.error.hint}
        </p>
      )}
    </section>
  );
}
