/** A journal event's verification badge: a check mark, or what failed (generic, no store access). */
import type { EventView } from '../../src-shared/common/api/contract.ts';

/** An event's verification state: a check mark, or what failed. */
export function VerificationBadge({ verification }: { verification: EventView['verification'] }) {
  if (verification.state === 'verified') {
    return (
      <span className="badge badge-ok" title="Hash, device signature and chain link verified">
        ✓ Verified
      </span>
    );
  }
  const kinds = [...new Set(verification.problems.map((p) => p.kind))].join(', ');
  return (
    <span className="badge badge-bad" title={verification.problems.map((p) => p.message).join('\n')}>
      ✗ Failed: {kinds}
    </span>
  );
}
