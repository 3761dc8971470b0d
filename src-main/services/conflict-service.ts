/**
 * Sync conflicts on this laptop (src-shared/common/sync/journal-conflicts.ts): listed from the journal, which holds
 * every device's records after a pull, and resolved by a person with a new signed `conflict.resolved` event that
 * names the conflict, the decision and the reason. Nothing is ever dropped: both records in conflict stay.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { CONFLICT_RESOLVER_ROLES, findJournalConflicts, type SyncConflict } from '../../src-shared/common/sync/journal-conflicts.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { IdentityService } from './identity-service.ts';

/** Lists and resolves sync conflicts. */
export class ConflictService {
  private readonly deps: { repo: SyncRepository; journal: JournalRepository; identity: IdentityService };

  constructor(deps: { repo: SyncRepository; journal: JournalRepository; identity: IdentityService }) {
    this.deps = deps;
  }

  /** Every conflict this laptop's journal shows (of one change, when given), resolved or not. */
  list(changeId?: string): SyncConflict[] {
    const all = findJournalConflicts(this.deps.repo.conflictEvents());
    return changeId === undefined ? all : all.filter((c) => c.changeId === changeId);
  }

  /** Resolves a conflict: signed "reviewed" by a person holding a resolver role, over the conflict, decision and reason. */
  resolve(
    conflictId: string,
    decision: string,
    reason: string,
    signer: { employeeId: string; password: string },
    actor: Actor,
  ): SyncConflict {
    const conflict = this.list().find((c) => c.id === conflictId);
    if (!conflict) {
      throw new BaselineError(
        'conflict-unknown',
        `There is no sync conflict "${conflictId.slice(0, 80)}" on this laptop.`,
        'Sync now, then choose the conflict from the list this laptop shows.',
      );
    }
    if (conflict.resolution) {
      throw new BaselineError(
        'conflict-already-resolved',
        `This conflict was already resolved by ${conflict.resolution.by} at ${conflict.resolution.at}: ${conflict.resolution.decision}.`,
        'Nothing was recorded. If that decision was wrong, record a new change or a review; a resolution is not undone.',
      );
    }
    const person = this.deps.identity.personByEmployeeId(signer.employeeId);
    if (!person.roles.some((r) => CONFLICT_RESOLVER_ROLES.includes(r))) {
      throw new BaselineError(
        'role-not-held',
        `${person.name} holds ${person.roles.join(', ') || 'no role'}; resolving a sync conflict needs one of ${CONFLICT_RESOLVER_ROLES.join(', ')}.`,
        'Ask the plant engineering manager or OT security to sign the resolution.',
      );
    }
    const document = {
      schema: 'baseline.conflict-resolution/1',
      conflictId,
      kind: conflict.kind,
      records: conflict.records.map((r) => r.eventId),
      decision,
      reason,
    };
    const signature = this.deps.identity.sign(signer.employeeId, signer.password, 'reviewed', sha256Hex(canonicalJson(document)));
    this.deps.journal.append(
      'conflict.resolved',
      { conflictId, kind: conflict.kind, changeId: conflict.changeId, decision, reason, signature },
      actor,
    );
    return this.list().find((c) => c.id === conflictId)!;
  }
}
