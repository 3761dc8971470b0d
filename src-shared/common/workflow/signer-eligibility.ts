/**
 * Who may sign a decision on a change, and as which roles: the same rules the state machine enforces
 * (change-transition.ts), asked before anyone types a password so a signer list offers exactly the people whose
 * roles allow that signature, and says why when nobody can. The state machine stays the authority; this only
 * keeps people from being offered a signature that would be refused for who they are.
 */
import { approvalProgressOf, type ChangeState } from './change-state.ts';
import { approvalTimeoutStatus } from './change-deadlines.ts';
import { countApprovals, wouldCount } from './approval-progress.ts';
import type { ChangeEvaluation } from './change-evaluation.ts';

/** A person who could sign, as the signer lists know them. */
export interface SignerCandidate {
  employeeId: string;
  name: string;
  roles: readonly string[];
  revoked: boolean;
}

/** The people who may sign, each with the roles they may sign as (empty: signed as the person), or why nobody may. */
export interface Eligibility {
  people: { employeeId: string; name: string; roles: string[] }[];
  /** Why the list is empty (null when it is not). */
  none: string | null;
}

/** Names a role for people ("Plant engineering manager"). */
export type RoleLabel = (role: string) => string;

function listOf(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1) ?? ''}`;
}

/**
 * The people who hold one of `roles` (all active people when `roles` is null), minus `excluded` (employee id ->
 * why they may not sign); with the reason when nobody is left.
 */
export function eligibleByRole(
  people: readonly SignerCandidate[],
  roles: readonly string[] | null,
  label: RoleLabel,
  what: string,
  excluded: ReadonlyMap<string, string> = new Map(),
): Eligibility {
  const active = people.filter((p) => !p.revoked);
  const holders = roles === null ? active : active.filter((p) => p.roles.some((r) => roles.includes(r)));
  const out = holders
    .filter((p) => !excluded.has(p.employeeId))
    .map((p) => ({ employeeId: p.employeeId, name: p.name, roles: roles === null ? [] : p.roles.filter((r) => roles.includes(r)) }));
  if (out.length > 0) return { people: out, none: null };
  if (active.length === 0)
    return { people: [], none: `Nobody is enrolled on this laptop, so nobody can ${what}. Enrol people on the People screen.` };
  const needs = roles === null ? 'anyone' : listOf(roles.map(label));
  if (holders.length === 0)
    return {
      people: [],
      none: `Nobody enrolled on this laptop holds ${needs}, which ${what} needs. Enrol one (People screen) or have the roster give someone the role.`,
    };
  const why = holders.map((p) => `${p.name} ${excluded.get(p.employeeId) ?? ''}`.trim()).join('; ');
  return { people: [], none: `Nobody may ${what}: ${why}.` };
}

/** The decisions on a change that the signing form offers. */
export type ChangeDecision =
  | 'submit'
  | 'withdraw'
  | 'approve'
  | 'approve-with-conditions'
  | 'reject'
  | 'defer'
  | 'schedule'
  | 'break-glass'
  | 'start-execution'
  | 'rollback'
  | 'close'
  | 'retrospective-review';

/**
 * Who may sign `decision` on this change now. `evaluation` is the policy's evaluation the change screen shows (frozen
 * at submit, else live): break-glass from a draft reads the class's responder list there.
 */
export function changeSigners(
  state: ChangeState,
  decision: ChangeDecision,
  people: readonly SignerCandidate[],
  label: RoleLabel,
  now: Date,
  evaluation: Pick<ChangeEvaluation, 'breakGlass'> | null = state.review?.evaluation ?? null,
): Eligibility {
  const requester = state.requester;
  switch (decision) {
    case 'submit':
    case 'withdraw': {
      const found = people.find((p) => p.employeeId === requester.id && !p.revoked);
      return found
        ? { people: [{ employeeId: found.employeeId, name: found.name, roles: [] }], none: null }
        : {
            people: [],
            none: `Only the requester, ${requester.name}, may ${decision} this change, and they are not enrolled on this laptop.`,
          };
    }
    case 'approve':
    case 'approve-with-conditions':
    case 'reject':
    case 'defer': {
      if (state.review === null) return { people: [], none: 'The change has not been submitted.' };
      const e = state.review.evaluation;
      // The escalation roles stand in for a missing approver only once the approval timeout has passed.
      const escalated =
        (decision === 'approve' || decision === 'approve-with-conditions') && approvalTimeoutStatus(state, now).status === 'escalated';
      // An approval is offered only as a role where it would count toward an unmet requirement (a quorum's room left
      // for its accountable roles included); a rejection or deferral may come from any role the change needs.
      const progress = approvalProgressOf(state);
      const counts = (r: string) =>
        decision === 'reject' || decision === 'defer' || progress === null || wouldCount(progress, r).length > 0;
      const needed = e.approvals.flatMap((a) => a.roles).filter(counts);
      const roles = [...new Set([...needed, ...(escalated ? e.approvalTimeout.escalateTo : [])])];
      const excluded = new Map<string, string>([[requester.id, 'filed the change and cannot approve it']]);
      if (decision === 'approve' || decision === 'approve-with-conditions') {
        for (const a of state.review.approvals) excluded.set(a.by.id, `already approved it (as ${label(a.role)})`);
      }
      return eligibleByRole(
        people,
        roles,
        label,
        decision === 'defer' || decision === 'reject' ? `${decision} this change` : 'approve this change',
        excluded,
      );
    }
    case 'retrospective-review': {
      if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed')
        return { people: [], none: 'No retrospective review is due.' };
      const r = state.execution.retrospective;
      if (r === null) return { people: [], none: 'The change did not start under break-glass, so no retrospective review is due.' };
      const excluded = new Map<string, string>([
        [requester.id, 'filed the change'],
        [state.execution.executor.id, 'carried out the work'],
      ]);
      if (state.execution.witness) excluded.set(state.execution.witness.id, 'witnessed the work');
      if (state.execution.breakGlass?.approver.id) excluded.set(state.execution.breakGlass.approver.id, 'gave the break-glass approval');
      for (const x of r.reviews) excluded.set(x.by.id, 'already reviewed it');
      // A review is offered only as a role where it would count (the quorum's room kept for its accountable roles).
      const progress = countApprovals(r.requirements, r.reviews, false);
      const roles = [...new Set(r.requirements.flatMap((x) => x.roles))].filter((x) => wouldCount(progress, x).length > 0);
      return eligibleByRole(people, roles, label, 'review this change', excluded);
    }
    case 'break-glass': {
      // Only the class's responder list carries out break-glass work (no list: anyone enrolled).
      const responders = evaluation?.breakGlass?.responders ?? null;
      return eligibleByRole(people, responders, label, 'carry out this change under break-glass');
    }
    case 'schedule':
    case 'start-execution':
    case 'rollback':
    case 'close':
      return eligibleByRole(people, null, label, `sign "${decision}"`);
  }
}

/**
 * Who may sign the reviews of break-glass work that belong to named people: the break-glass approval, by the approver
 * named at break-glass only; the emergency report, by the responder who carried out the work or its witness.
 */
export function breakGlassSigners(
  state: ChangeState,
  action: 'confirm-break-glass' | 'emergency-report',
  people: readonly SignerCandidate[],
): Eligibility {
  if (!('execution' in state) || state.execution.breakGlass === null)
    return { people: [], none: 'The change did not start under break-glass.' };
  const e = state.execution;
  const named = action === 'confirm-break-glass' ? [e.breakGlass!.approver] : [e.executor, ...(e.witness ? [e.witness] : [])];
  const out = named.flatMap((n) => {
    const p = people.find((x) => x.employeeId === n.id && !x.revoked);
    return p ? [{ employeeId: p.employeeId, name: p.name, roles: [] }] : [];
  });
  if (out.length > 0) return { people: out, none: null };
  const who = named.map((n) => n.name).join(' or ');
  const what = action === 'confirm-break-glass' ? 'sign the break-glass approval' : 'write the emergency report';
  return {
    people: [],
    none: `Only ${who} may ${what}, and they are not enrolled on this laptop. Enrol them (People screen) or sign on their laptop and sync.`,
  };
}
