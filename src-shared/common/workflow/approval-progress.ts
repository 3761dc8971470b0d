/**
 * Quorum counting. A requirement (approval group) is met when `quorum` approvals count toward it; an approval
 * counts when its signer signed as one of the group's roles and no earlier counted approval used that role
 * (a quorum is cross-functional: two OT security signatures are one opinion, not two). A person approves a
 * change once, as one role; that one approval counts toward every requirement listing the role. After the approval
 * timeout, an escalation approver's approval stands in for one missing approval of one group (`inPlaceOf`).
 * A group's accountable roles (RACI "accountable", e.g. OT security and quality on the CAB) must each be among the
 * approvals counted: a quorum of any roles of the list is not enough, and an approval by another role counts only
 * while it leaves room for the accountable ones still missing.
 */
import type { ApprovalRequirement } from './change-evaluation.ts';
import type { PersonRef } from './workflow-terms.ts';

/** One recorded approval (or retrospective review) signature. */
export interface ApprovalRecord {
  by: PersonRef;
  /** The role the person signed as (one of the roles their certificate carries). */
  role: string;
  meaning: 'approved' | 'approved-with-conditions' | 'reviewed';
  at: string;
  comment: string;
  /** Conditions attached to an approval with conditions (empty otherwise). */
  conditions: string[];
  /** Whether the signer confirmed reviewing the proposed diff. */
  diffReviewed: boolean;
  /**
   * For an escalated approval (signed by the class's escalation role after the approval timeout): the approval group
   * it stands in for. It counts as one approval of that group, and of no other.
   */
  inPlaceOf?: string;
}

/** How far one requirement is. */
export interface RequirementProgress {
  requirement: ApprovalRequirement;
  /** The approvals that count toward it, one per role. */
  counted: ApprovalRecord[];
  satisfied: boolean;
  /** What is still needed, in words ("1 more approval, as plant-engineering-manager or quality-compliance"); empty when met. */
  missing: string;
}

/** How far a change's approvals are. */
export interface ApprovalProgress {
  requirements: RequirementProgress[];
  distinctApprovers: number;
  /** Met when dual control is not required, or at least two different people approved. */
  dualControlMet: boolean;
  complete: boolean;
}

/**
 * Counts approvals against requirements; `roleLabel` names roles in the `missing` text, and `noun` names what is
 * missing there ("review" for a retrospective review, counted by the same rules as approvals).
 */
export function countApprovals(
  requirements: readonly ApprovalRequirement[],
  approvals: readonly ApprovalRecord[],
  dualControl: boolean,
  roleLabel: (role: string) => string = (r) => r,
  noun: 'approval' | 'review' = 'approval',
): ApprovalProgress {
  const progress = requirements.map((requirement): RequirementProgress => {
    const counted: ApprovalRecord[] = [];
    for (const a of approvals) {
      if (a.inPlaceOf !== undefined) {
        // One escalated approval per group: a backup approver replaces one approver, never a whole quorum.
        if (a.inPlaceOf === requirement.group && !counted.some((c) => c.by.id === a.by.id || c.inPlaceOf !== undefined)) counted.push(a);
      } else if (requirement.roles.includes(a.role) && !counted.some((c) => c.role === a.role || c.by.id === a.by.id)) {
        counted.push(a);
      }
    }
    const accountable = missingAccountable(requirement, counted);
    const satisfied = counted.length >= requirement.quorum && accountable.length === 0;
    const open = requirement.roles.filter((r) => !counted.some((c) => c.role === r && c.inPlaceOf === undefined)).map(roleLabel);
    const more = Math.max(requirement.quorum - counted.length, accountable.length);
    return {
      requirement,
      counted,
      satisfied,
      missing: satisfied
        ? ''
        : accountable.length > 0
          ? `${more} more ${noun}${more === 1 ? '' : 's'}, including ${accountable.map(roleLabel).join(' and ')} (accountable)`
          : `${more} more ${noun}${more === 1 ? '' : 's'}, as ${open.join(' or ')}`,
    };
  });
  const distinctApprovers = new Set(approvals.map((a) => a.by.id)).size;
  const dualControlMet = !dualControl || distinctApprovers >= 2;
  return { requirements: progress, distinctApprovers, dualControlMet, complete: dualControlMet && progress.every((p) => p.satisfied) };
}

/** The accountable roles of a requirement not yet among its counted approvals (one escalated approval stands in for one). */
function missingAccountable(requirement: ApprovalRequirement, counted: readonly ApprovalRecord[]): string[] {
  const missing = (requirement.accountable ?? []).filter((r) => !counted.some((c) => c.role === r && c.inPlaceOf === undefined));
  return counted.some((c) => c.inPlaceOf !== undefined) ? missing.slice(1) : missing;
}

/** The unmet requirements that an approval signed as `role` would count toward (empty: it would not count). */
export function wouldCount(progress: ApprovalProgress, role: string): RequirementProgress[] {
  return progress.requirements.filter((p) => {
    if (p.satisfied || !p.requirement.roles.includes(role) || p.counted.some((c) => c.role === role && c.inPlaceOf === undefined))
      return false;
    const accountable = missingAccountable(p.requirement, p.counted);
    // Another role takes a place of the quorum only while the accountable roles still missing keep theirs.
    return accountable.includes(role) || p.requirement.quorum - p.counted.length > accountable.length;
  });
}
