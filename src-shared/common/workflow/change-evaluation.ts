/**
 * What the policy requires of one change, and why: the risk score and band, the approvals (groups, quorums, CAB
 * or not, dual control), the notice and the earliest start, staging, diff review, windows, the approval timeout
 * and the emergency break-glass terms. Every requirement carries the sentences that explain it, each ending with
 * where in the policy it comes from, in words, e.g. "Line L07 is tier 1: CAB approval (policy: tier 1 lines)". The request editor
 * shows them before submit; submit freezes them into the change (change-state.ts).
 */
import { missingFields, type ChangeRequestFields } from './change-request.ts';
import { nextAllowedStart } from './change-windows.ts';
import { formatMinutes } from './duration.ts';
import { groupName, postImplementationReviewOf, roleName, safetyReviewOf, type Policy } from './policy-schema.ts';
import { riskBandCitation, scoreRisk, type RiskAssessment, type RiskResult } from './risk-score.ts';
import { LINE_TIERS, type ChangeClass, type ChangeField, type LineFact } from './workflow-terms.ts';
import { policyCitation } from './policy-citation.ts';

/** The facts about a change that the policy's rules look at. */
export interface ChangeFacts {
  class: ChangeClass;
  /** The lines the target controllers are on, with their tiers (from the plant model). */
  lines: readonly LineFact[];
  /** Whether any tag the change touches is flagged safety (from the proposed diff and the capture profile). */
  touchesSafetyTag: boolean;
  /** The safety tags touched, for the reason text (optional). */
  safetyTags?: readonly string[];
  /** The requester's assessment, or null when not made yet. */
  risk: RiskAssessment | null;
}

/** Approvals needed from one group: `quorum` people, each signing as a different one of `roles`. */
export interface ApprovalRequirement {
  group: string;
  name: string;
  roles: string[];
  quorum: number;
  /** Roles that must each be among the quorum (policy approvalGroups.<group>.accountable; absent: none). */
  accountable?: string[];
  /** For a safety-critical change: the review step this group belongs to (0 first); a later step waits for the earlier ones. */
  step?: { index: number; name: string };
  reasons: string[];
}

/** A yes/no requirement and why. */
export interface Requirement {
  required: boolean;
  reasons: string[];
}

/** Everything the policy requires of a change, with reasons. Plain data: it is stored with the change. */
export interface ChangeEvaluation {
  policyName: string;
  policyRevision: number;
  class: ChangeClass;
  evaluatedAt: string;
  lines: LineFact[];
  risk: RiskResult | null;
  /** True when the Change Advisory Board (approval group `cab`) must approve. */
  cab: boolean;
  approvals: ApprovalRequirement[];
  dualControl: Requirement;
  notice: { minutes: number; sameShift: boolean; reasons: string[] };
  /** `evaluatedAt` plus the notice: nothing may start earlier. */
  earliestStart: string;
  /** The first instant from `earliestStart` inside a window and clear of blackouts (null: none within 62 days). */
  firstWindowStart: string | null;
  staging: Requirement;
  diffReview: Requirement;
  window: Requirement;
  approvalTimeout: { minutes: number; escalateTo: string[]; reason: string };
  /** For a safety-critical change (its class, a safety tag or a safety controller): the safety sign-off before CLOSE (absent otherwise). */
  safety?: { signOffRoles: string[]; checklist: string[]; reasons: string[] };
  /** For the classes the policy names: the post-implementation review owed after CLOSE (absent otherwise). */
  postImplementationReview?: { reviewerRoles: string[]; withinMinutes: number; reason: string };
  breakGlass: null | {
    approverRoles: string[];
    responders?: string[];
    retrospectiveWithinMinutes: number;
    retrospectiveApprovals: ApprovalRequirement[];
    reason: string;
  };
  /** One sentence per line tier (and for the safety escalation), as the request editor lists them. */
  summary: string[];
  /** Why the change cannot go ahead as it is (submit refuses while any remains). */
  blockers: string[];
  /** Things worth knowing that block nothing. */
  notes: string[];
}

const CLASS_LABEL: Readonly<Record<ChangeClass, string>> = {
  standard: 'Standard',
  normal: 'Normal',
  emergency: 'Emergency',
  'safety-critical': 'Safety-critical',
};

/** "CAB approval", "single approver", "Safety manager approval": how a group reads inside a sentence. */
export function approvalPhrase(policy: Policy, group: string): string {
  if (group === 'cab') return 'CAB approval';
  const name = groupName(policy, group);
  const lower = /^[A-Z][a-z]/.test(name) ? name.charAt(0).toLowerCase() + name.slice(1) : name;
  return /(approver|review|approval)$/i.test(name) ? lower : `${lower} approval`;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

function linesAre(lines: readonly LineFact[]): string {
  const ids = lines.map((l) => l.id);
  return ids.length === 1 ? `Line ${ids[0] ?? ''} is` : `Lines ${ids.join(', ')} are`;
}

/** Evaluates the policy for a change at `now` (the notice counts from then). */
export function evaluateChange(policy: Policy, facts: ChangeFacts, now: Date): ChangeEvaluation {
  const cls = facts.class;
  const c = policy.classes[cls];
  const classPath = `classes.${cls}`;
  const label = CLASS_LABEL[cls];
  const follow = c.followTierAndRisk;
  const blockers: string[] = [];
  const notes: string[] = [];
  const summary: string[] = [];
  const tiers = LINE_TIERS.map((tier) => ({ tier, lines: facts.lines.filter((l) => l.tier === tier), rule: policy.tiers[tier] })).filter(
    (t) => t.lines.length > 0,
  );
  if (facts.lines.length === 0) {
    blockers.push('No line: the target controllers must be on lines of the plant model, whose tiers set notice, approvals and staging.');
  }

  // Risk.
  let risk: RiskResult | null = null;
  if (facts.risk === null) {
    notes.push(`Risk not assessed yet: the risk band's approvals are not included (${policyCitation('risk')}).`);
  } else {
    const scored = scoreRisk(policy, facts.risk);
    if (scored.ok) risk = scored.risk;
    else blockers.push(scored.problem);
  }
  if (risk !== null && c.maxRiskBand !== undefined) {
    const max = policy.risk.bands.findIndex((b) => b.name === c.maxRiskBand);
    if (risk.bandIndex > max) {
      blockers.push(
        `${label} changes are for the ${c.maxRiskBand} risk band or lower; this one scores ${risk.score} (${risk.band}): ` +
          `file it as a normal change (${policyCitation(`${classPath}.maxRiskBand`)}).`,
      );
    }
  }
  if (facts.touchesSafetyTag && facts.risk !== null && facts.risk.safetyImpact === 'none') {
    notes.push('The change touches safety-flagged tags but its safety impact is assessed as none: check the impact assessment.');
  }

  // Approvals: the class's own, then (unless the class takes the fast path) the tiers', the band's and the safety escalation.
  const required = new Map<string, string[]>();
  const need = (group: string, reason: string): void => {
    const reasons = required.get(group);
    if (reasons === undefined) required.set(group, [reason]);
    else reasons.push(reason);
  };
  for (const g of c.approvals) need(g, `${label} changes need ${approvalPhrase(policy, g)} (${policyCitation(`${classPath}.approvals`)})`);
  const safetyText =
    facts.safetyTags !== undefined && facts.safetyTags.length > 0
      ? `safety tag${facts.safetyTags.length === 1 ? '' : 's'} ${facts.safetyTags.join(', ')}`
      : 'a safety-flagged tag';
  if (follow) {
    for (const t of tiers)
      for (const g of t.rule.approvals)
        need(g, `${linesAre(t.lines)} tier ${t.tier}: ${approvalPhrase(policy, g)} (${policyCitation(`tiers.${t.tier}`)})`);
    if (risk !== null) {
      const band = policy.risk.bands[risk.bandIndex];
      for (const g of band?.approvals ?? [])
        need(
          g,
          `Risk band ${risk.band} (score ${risk.score}): ${approvalPhrase(policy, g)} (policy: ${riskBandCitation(policy, risk.bandIndex)})`,
        );
    }
    if (facts.touchesSafetyTag) {
      for (const g of policy.safetyTags.approvals)
        need(g, `The change touches ${safetyText}: ${approvalPhrase(policy, g)} whatever the line tier (${policyCitation('safetyTags')})`);
      summary.push(
        `The change touches ${safetyText}: ${joinWords(policy.safetyTags.approvals.map((g) => approvalPhrase(policy, g)))} whatever the line tier (${policyCitation('safetyTags')}).`,
      );
    }
  } else if (tiers.length > 0 || facts.touchesSafetyTag || risk !== null) {
    notes.push(
      `${label} changes take the fast path: line tiers, the risk band and safety tags add nothing before execution; ` +
        `they are judged in the retrospective review (${policyCitation(`${classPath}.followTierAndRisk`)}).`,
    );
  }
  const safetyCritical = cls === 'safety-critical' || facts.touchesSafetyTag;
  const approvals = safetyCritical ? inReviewSteps(policy, supersede(policy, required)) : supersede(policy, required);

  // Notice.
  let noticeMinutes = c.notice;
  const noticeReasons: string[] =
    c.notice > 0 ? [`${label} changes need ${formatMinutes(c.notice)} notice (${policyCitation(`${classPath}.notice`)})`] : [];
  if (follow) {
    const longest = Math.max(0, ...tiers.map((t) => t.rule.notice.minutes));
    if (longest > noticeMinutes) {
      noticeMinutes = longest;
      noticeReasons.length = 0;
    }
    if (longest === noticeMinutes) {
      for (const t of tiers.filter((x) => x.rule.notice.minutes === longest)) {
        noticeReasons.push(
          t.rule.notice.sameShift
            ? `${linesAre(t.lines)} tier ${t.tier}: same-shift deploy permitted, no notice (${policyCitation(`tiers.${t.tier}`)})`
            : `${linesAre(t.lines)} tier ${t.tier}: ${formatMinutes(t.rule.notice.minutes)} notice (${policyCitation(`tiers.${t.tier}`)})`,
        );
      }
    }
  } else {
    noticeReasons.push(
      `${label} changes take the fast path: ${c.notice > 0 ? `${formatMinutes(c.notice)} notice` : 'no notice'}, whatever the line tier (${policyCitation(classPath)})`,
    );
  }
  const sameShift = noticeMinutes === 0 && follow && tiers.some((t) => t.rule.notice.sameShift);
  const earliest = new Date(now.getTime() + noticeMinutes * 60_000);
  const firstWindow = facts.lines.length > 0 ? nextAllowedStart(policy, facts.lines, cls, earliest) : null;

  // Staging, diff review, windows, dual control.
  const flag = (
    classFlag: boolean,
    classWhat: string,
    tierFlag: (t: (typeof tiers)[number]) => boolean,
    tierWhat: string,
    field: string,
  ): Requirement => {
    const reasons: string[] = [];
    if (classFlag) reasons.push(`${label} changes need ${classWhat} (${policyCitation(`${classPath}.${field}`)})`);
    if (follow)
      for (const t of tiers.filter(tierFlag))
        reasons.push(`${linesAre(t.lines)} tier ${t.tier}: ${tierWhat} (${policyCitation(`tiers.${t.tier}`)})`);
    return { required: reasons.length > 0, reasons };
  };
  const staging = flag(c.staging, 'a staging deploy', (t) => t.rule.staging, 'mandatory staging deploy', 'staging');
  const diffReview = flag(c.diffReview, 'a diff review', (t) => t.rule.diffReview, 'mandatory diff review', 'diffReview');
  const window: Requirement = {
    required: c.requiresWindow,
    reasons: [
      c.requiresWindow
        ? `${label} changes start inside a change window, outside blackouts (${policyCitation(`${classPath}.requiresWindow`)})`
        : `${label} changes may start outside change windows; blackouts still apply (${policyCitation(`${classPath}.requiresWindow`)})`,
    ],
  };
  const dualControl: Requirement = c.dualControl
    ? {
        required: true,
        reasons: [
          `${label} changes need dual control: two different people approve, and a second person witnesses the execution (${policyCitation(`${classPath}.dualControl`)})`,
        ],
      }
    : { required: false, reasons: [] };

  // Tier summaries.
  for (const t of tiers) {
    if (!follow) {
      summary.push(
        `${linesAre(t.lines)} tier ${t.tier}, but ${cls} changes take the fast path: the tier adds nothing before execution (${policyCitation(classPath)}).`,
      );
      continue;
    }
    const parts = [
      ...t.rule.approvals.map((g) => approvalPhrase(policy, g)),
      t.rule.notice.sameShift ? 'same-shift deploy permitted' : `${formatMinutes(t.rule.notice.minutes)} notice`,
      ...(t.rule.staging ? ['staging'] : []),
      ...(t.rule.diffReview ? ['diff review'] : []),
    ];
    summary.push(`${linesAre(t.lines)} tier ${t.tier}: ${joinWords(parts)} (${policyCitation(classPath, `tiers.${t.tier}`)}).`);
  }

  const escalateTo = c.approvalTimeout.escalateTo;
  const breakGlass =
    c.breakGlass === undefined
      ? null
      : {
          approverRoles: [...c.breakGlass.approverRoles],
          ...(c.breakGlass.responders !== undefined ? { responders: [...c.breakGlass.responders] } : {}),
          retrospectiveWithinMinutes: c.breakGlass.retrospectiveWithin,
          retrospectiveApprovals: supersede(
            policy,
            new Map(
              c.breakGlass.retrospectiveApprovals.map((g) => [
                g,
                [
                  `Break-glass execution is reviewed afterwards: ${approvalPhrase(policy, g)} within ${formatMinutes(c.breakGlass?.retrospectiveWithin ?? 0)} (${policyCitation(`${classPath}.breakGlass`)})`,
                ],
              ]),
            ),
          ),
          reason:
            `${label} changes may start before approval with a recorded break-glass approval by ${joinWords(c.breakGlass.approverRoles.map((r) => roleName(policy, r)))}; ` +
            `the retrospective review is due within ${formatMinutes(c.breakGlass.retrospectiveWithin)} (${policyCitation(`${classPath}.breakGlass`)})`,
        };

  return {
    policyName: policy.name,
    policyRevision: policy.revision,
    class: cls,
    evaluatedAt: now.toISOString(),
    lines: facts.lines.map((l) => ({ ...l })),
    risk,
    cab: approvals.some((a) => a.group === 'cab'),
    approvals,
    dualControl,
    notice: { minutes: noticeMinutes, sameShift, reasons: noticeReasons },
    earliestStart: earliest.toISOString(),
    firstWindowStart: firstWindow === null ? null : firstWindow.toISOString(),
    staging,
    diffReview,
    window,
    approvalTimeout: {
      minutes: c.approvalTimeout.after,
      escalateTo: [...escalateTo],
      reason: `Approvals still missing ${formatMinutes(c.approvalTimeout.after)} after submission escalate to ${joinWords(escalateTo.map((r) => roleName(policy, r)))} (${policyCitation(`${classPath}.approvalTimeout`)})`,
    },
    breakGlass,
    ...(safetyCritical ? { safety: safetyOf(policy, cls, facts, safetyText) } : {}),
    ...postReviewOf(policy, cls),
    summary,
    blockers,
    notes,
  };
}

/** Puts each requirement of a safety-critical change in its review step (policy safetyReview.steps); unlisted groups come last. */
function inReviewSteps(policy: Policy, approvals: ApprovalRequirement[]): ApprovalRequirement[] {
  const steps = safetyReviewOf(policy).steps.filter((s) => approvals.some((a) => s.groups.includes(a.group)));
  return approvals.map((a) => {
    const index = steps.findIndex((s) => s.groups.includes(a.group));
    return index < 0 ? a : { ...a, step: { index, name: steps[index]!.name } };
  });
}

function safetyOf(policy: Policy, cls: ChangeClass, facts: ChangeFacts, safetyText: string): NonNullable<ChangeEvaluation['safety']> {
  const review = safetyReviewOf(policy);
  const why = cls === 'safety-critical' ? 'Safety-critical changes' : `The change touches ${safetyText}, so it`;
  return {
    signOffRoles: [...review.signOffRoles],
    checklist: [...review.checklist],
    reasons: [
      `${why} ${cls === 'safety-critical' ? 'are' : 'is'} reviewed in order: ${review.steps.map((s) => s.name).join(', then ')} (${policyCitation('safetyReview.steps')})`,
      ...(review.signOffRoles.length > 0
        ? [
            `${review.signOffRoles.map((r) => roleName(policy, r)).join(' or ')} signs the post-change safety checklist before CLOSE (${policyCitation('safetyReview.signOffRoles')})`,
          ]
        : []),
    ],
  };
}

function postReviewOf(
  policy: Policy,
  cls: ChangeClass,
): { postImplementationReview?: NonNullable<ChangeEvaluation['postImplementationReview']> } {
  const pir = postImplementationReviewOf(policy);
  if (!pir.classes.includes(cls)) return {};
  return {
    postImplementationReview: {
      reviewerRoles: [...pir.reviewerRoles],
      withinMinutes: pir.within,
      reason: `${CLASS_LABEL[cls]} changes owe a post-implementation review within ${formatMinutes(pir.within)} of CLOSE, by ${joinWords(pir.reviewerRoles.map((r) => roleName(policy, r)))} not on the change, which approves the new baseline (policy postImplementationReview)`,
    },
  };
}

/** Turns required groups into requirements, dropping a group another required group supersedes (transitively). */
function supersede(policy: Policy, required: ReadonlyMap<string, string[]>): ApprovalRequirement[] {
  const closure = (group: string): Set<string> => {
    const out = new Set<string>();
    const stack = [...(policy.approvalGroups[group]?.supersedes ?? [])];
    while (stack.length > 0) {
      const next = stack.pop();
      if (next === undefined || out.has(next) || next === group) continue;
      out.add(next);
      stack.push(...(policy.approvalGroups[next]?.supersedes ?? []));
    }
    return out;
  };
  const coveredBy = new Map<string, string>();
  for (const group of required.keys()) {
    for (const covered of closure(group))
      if (required.has(covered) && !coveredBy.has(covered) && !closure(covered).has(group)) coveredBy.set(covered, group);
  }
  const out: ApprovalRequirement[] = [];
  for (const [group, reasons] of required) {
    if (coveredBy.has(group)) continue;
    const g = policy.approvalGroups[group];
    const covers = [...coveredBy].filter(([, by]) => by === group).map(([covered]) => covered);
    out.push({
      group,
      name: groupName(policy, group),
      roles: [...(g?.roles ?? [])],
      quorum: g?.quorum ?? 1,
      ...(g !== undefined && g.accountable.length > 0 ? { accountable: [...g.accountable] } : {}),
      reasons: [
        ...reasons,
        ...covers.map(
          (covered) =>
            `It also covers the ${groupName(policy, covered)} requirement: ${(required.get(covered) ?? []).join('; ')} (policy: ${groupName(policy, group)}, the approvals it covers)`,
        ),
      ],
    });
  }
  return out;
}

/** The facts the plant model and the proposed diff give about a change (the request gives the rest). */
export interface PlantFacts {
  lines: readonly LineFact[];
  touchesSafetyTag: boolean;
  safetyTags?: readonly string[];
}

/** A request evaluated for the editor: the evaluation (null until a class is chosen) and the missing fields. */
export interface RequestEvaluation {
  evaluation: ChangeEvaluation | null;
  missingFields: ChangeField[];
  classMissing: boolean;
}

/** Evaluates a request's fields with the plant facts: what the editor shows before submit. */
export function evaluateRequest(policy: Policy, fields: ChangeRequestFields, plant: PlantFacts, now: Date): RequestEvaluation {
  if (fields.class === null) return { evaluation: null, missingFields: [], classMissing: true };
  const a = fields.impactAssessment;
  const facts: ChangeFacts = {
    class: fields.class,
    lines: plant.lines,
    touchesSafetyTag: plant.touchesSafetyTag,
    ...(plant.safetyTags === undefined ? {} : { safetyTags: plant.safetyTags }),
    risk: a === null ? null : { impact: a.impact, probability: a.probability, safetyImpact: a.safetyImpact },
  };
  return {
    evaluation: evaluateChange(policy, facts, now),
    missingFields: missingFields(policy, fields.class, fields),
    classMissing: false,
  };
}
