/**
 * The rules that tie a policy's parts together, checked once the document has the right shape: every role and
 * approval group it names exists, quorums can be met, risk bands cover every score exactly once, windows and
 * blackouts end after they start, and no two definitions contradict each other. Each problem names the field
 * (as a path) and the rule, so policy-yaml.ts can point at the line.
 */
import { groupName, type Policy } from './policy-schema.ts';
import { parseDateTimeText, resolveDateTimeText } from './time-zone.ts';
import { CHANGE_CLASSES, LINE_TIERS } from './workflow-terms.ts';

/** A path into the policy document: `['classes', 'normal', 'approvals', 0]`. */
export type PolicyPath = (string | number)[];

/** One contradiction or dangling name in a policy. */
export interface PolicyProblem {
  path: PolicyPath;
  message: string;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? '(none)' : names.join(', ');
}

/** Every rule a well-shaped policy breaks (empty when it is consistent). */
export function policyContradictions(policy: Policy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const add = (path: PolicyPath, message: string): void => {
    problems.push({ path, message });
  };
  const roleKeys = Object.keys(policy.roles);
  const groupKeys = Object.keys(policy.approvalGroups);
  const checkRoles = (roles: readonly string[], path: PolicyPath): void => {
    roles.forEach((role, i) => {
      if (!Object.hasOwn(policy.roles, role))
        add([...path, i], `unknown role "${role}"; the roles this policy declares are ${list(roleKeys)}`);
      else if (roles.indexOf(role) !== i) add([...path, i], `role "${role}" is listed twice`);
    });
  };
  const checkGroups = (groups: readonly string[], path: PolicyPath): void => {
    groups.forEach((group, i) => {
      if (!Object.hasOwn(policy.approvalGroups, group)) {
        add([...path, i], `unknown approval group "${group}"; the groups this policy declares are ${list(groupKeys)}`);
      } else if (groups.indexOf(group) !== i) {
        add([...path, i], `approval group "${group}" is listed twice`);
      }
    });
  };

  // Approval groups: the CAB exists, quorums can be met, "supersedes" names real groups and has no cycle.
  if (!Object.hasOwn(policy.approvalGroups, 'cab')) {
    add(
      ['approvalGroups'],
      'the approval group "cab" (the Change Advisory Board) is required: line tiers, safety tags and emergency reviews escalate to it',
    );
  }
  for (const [key, group] of Object.entries(policy.approvalGroups)) {
    checkRoles(group.roles, ['approvalGroups', key, 'roles']);
    const distinct = new Set(group.roles).size;
    if (group.quorum > distinct) {
      add(
        ['approvalGroups', key, 'quorum'],
        `quorum ${group.quorum} is more than the ${distinct} role${distinct === 1 ? '' : 's'} that may sign (${list(group.roles)}); ` +
          'each approval counted toward a quorum must come from a different role, so this quorum could never be met',
      );
    }
    group.supersedes.forEach((other, i) => {
      if (other === key) add(['approvalGroups', key, 'supersedes', i], 'a group cannot supersede itself');
    });
    checkGroups(group.supersedes, ['approvalGroups', key, 'supersedes']);
    checkRoles(group.accountable, ['approvalGroups', key, 'accountable']);
    group.accountable.forEach((role, i) => {
      if (!group.roles.includes(role))
        add(['approvalGroups', key, 'accountable', i], `accountable role "${role}" is not one of the group's roles (${list(group.roles)})`);
    });
    if (group.accountable.length > group.quorum) {
      add(
        ['approvalGroups', key, 'accountable'],
        `${group.accountable.length} roles are accountable but the quorum is ${group.quorum}: raise the quorum to at least ${group.accountable.length}`,
      );
    }
  }
  const cycle = supersedeCycle(policy);
  if (cycle !== null) {
    add(
      ['approvalGroups', cycle[0] ?? '', 'supersedes'],
      `approval groups ${cycle.join(' -> ')} supersede each other in a circle: when both are required, neither can replace the other`,
    );
  }

  // Classes.
  const bandNames = policy.risk.bands.map((b) => b.name);
  for (const cls of CHANGE_CLASSES) {
    const c = policy.classes[cls];
    const base: PolicyPath = ['classes', cls];
    checkGroups(c.approvals, [...base, 'approvals']);
    checkRoles(c.approvalTimeout.escalateTo, [...base, 'approvalTimeout', 'escalateTo']);
    if (c.maxRiskBand !== undefined && !bandNames.includes(c.maxRiskBand)) {
      add([...base, 'maxRiskBand'], `unknown risk band "${c.maxRiskBand}"; the bands are ${list(bandNames)}`);
    }
    if (c.breakGlass !== undefined) {
      checkRoles(c.breakGlass.approverRoles, [...base, 'breakGlass', 'approverRoles']);
      if (c.breakGlass.responders !== undefined) checkRoles(c.breakGlass.responders, [...base, 'breakGlass', 'responders']);
      checkGroups(c.breakGlass.retrospectiveApprovals, [...base, 'breakGlass', 'retrospectiveApprovals']);
    }
    if (c.dualControl && !needsTwoPeople(policy, c.approvals)) {
      add(
        [...base, 'dualControl'],
        `dual control needs two different people, but the class's approvals (${c.approvals.map((g) => groupName(policy, g)).join(', ')}) ` +
          'can be met by one signature; add a group with quorum 2 or a second group with different roles',
      );
    }
    if (c.requiresWindow && !policy.windows.some((w) => w.classes.includes(cls))) {
      add(
        [...base, 'requiresWindow'],
        `${cls} changes must start inside a change window, but no window in "windows" allows ${cls} changes`,
      );
    }
  }

  for (const tier of LINE_TIERS) checkGroups(policy.tiers[tier].approvals, ['tiers', String(tier), 'approvals']);
  checkGroups(policy.safetyTags.approvals, ['safetyTags', 'approvals']);
  checkRiskBands(policy, add, checkGroups);

  // Windows and blackouts.
  const seenWindows = new Map<string, number>();
  policy.windows.forEach((w, i) => {
    const path: PolicyPath = ['windows', i];
    const first = seenWindows.get(w.name);
    if (first !== undefined) add([...path, 'name'], `window "${w.name}" is already defined at windows[${first}]; names must be unique`);
    else seenWindows.set(w.name, i);
    if (w.type === 'weekly') {
      w.periods.forEach((p, j) => {
        if (p.start === '24:00') add([...path, 'periods', j, 'start'], 'a period cannot start at 24:00; write 00:00 on the next day');
        else if (p.start === p.end)
          add(
            [...path, 'periods', j, 'end'],
            `the period starts and ends at ${p.start}: it would be empty (or a whole day: write 00:00 to 24:00)`,
          );
        p.days.forEach((d, k) => {
          if (p.days.indexOf(d) !== k) add([...path, 'periods', j, 'days', k], `day "${d}" is listed twice`);
        });
      });
    } else {
      checkEndAfterStart(w.start, w.end, w.timeZone ?? policy.plant.timeZone, path, `${w.type} window "${w.name}"`, add);
    }
  });
  const seenBlackouts = new Map<string, number>();
  policy.blackouts.forEach((b, i) => {
    const path: PolicyPath = ['blackouts', i];
    const first = seenBlackouts.get(b.name);
    if (first !== undefined) add([...path, 'name'], `blackout "${b.name}" is already defined at blackouts[${first}]; names must be unique`);
    else seenBlackouts.set(b.name, i);
    if (b.override !== undefined) checkRoles(b.override.approverRoles, [...path, 'override', 'approverRoles']);
    if (b.type === 'one-off') checkEndAfterStart(b.start, b.end, b.timeZone ?? policy.plant.timeZone, path, `blackout "${b.name}"`, add);
  });
  if (policy.safetyReview !== undefined) {
    policy.safetyReview.steps.forEach((step, i) => checkGroups(step.groups, ['safetyReview', 'steps', i, 'groups']));
    checkRoles(policy.safetyReview.signOffRoles, ['safetyReview', 'signOffRoles']);
  }
  if (policy.postImplementationReview !== undefined)
    checkRoles(policy.postImplementationReview.reviewerRoles, ['postImplementationReview', 'reviewerRoles']);
  if (policy.outsideWindowOverride !== undefined)
    checkRoles(policy.outsideWindowOverride.approverRoles, ['outsideWindowOverride', 'approverRoles']);
  return problems;
}

function checkEndAfterStart(
  start: string,
  end: string,
  zone: string,
  path: PolicyPath,
  what: string,
  add: (path: PolicyPath, message: string) => void,
): void {
  const s = parseDateTimeText(start);
  const e = parseDateTimeText(end);
  if (s === null || e === null) return;
  const from = resolveDateTimeText(s, zone, 'start');
  const to = resolveDateTimeText(e, zone, 'end');
  if (to <= from) add([...path, 'end'], `${what} ends (${end}) before it starts (${start})`);
}

/** Whether meeting these groups takes at least two different people (one person signs once, as one role). */
function needsTwoPeople(policy: Policy, groups: readonly string[]): boolean {
  const defined = groups.map((g) => policy.approvalGroups[g]).filter((g) => g !== undefined);
  if (defined.some((g) => g.quorum >= 2)) return true;
  for (let i = 0; i < defined.length; i++) {
    for (let j = i + 1; j < defined.length; j++) {
      const a = defined[i],
        b = defined[j];
      if (a !== undefined && b !== undefined && !a.roles.some((r) => b.roles.includes(r))) return true;
    }
  }
  return false;
}

function supersedeCycle(policy: Policy): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (key: string): string[] | null => {
    if (state.get(key) === 'done') return null;
    if (state.get(key) === 'visiting') return [...stack.slice(stack.indexOf(key)), key];
    state.set(key, 'visiting');
    stack.push(key);
    for (const next of policy.approvalGroups[key]?.supersedes ?? []) {
      if (next === key || !Object.hasOwn(policy.approvalGroups, next)) continue;
      const found = visit(next);
      if (found !== null) return found;
    }
    stack.pop();
    state.set(key, 'done');
    return null;
  };
  for (const key of Object.keys(policy.approvalGroups)) {
    const found = visit(key);
    if (found !== null) return found;
  }
  return null;
}

/** The lowest and highest risk score the policy's scales and safety factors allow. */
export function riskScoreRange(policy: Policy): { min: number; max: number } {
  const r = policy.risk;
  const factors = Object.values(r.safetyFactor);
  return {
    min: r.impact.min * r.probability.min + Math.min(...factors),
    max: r.impact.max * r.probability.max + Math.max(...factors),
  };
}

function checkRiskBands(
  policy: Policy,
  add: (path: PolicyPath, message: string) => void,
  checkGroups: (groups: readonly string[], path: PolicyPath) => void,
): void {
  const r = policy.risk;
  for (const scale of ['impact', 'probability'] as const) {
    if (r[scale].min > r[scale].max)
      add(['risk', scale, 'max'], `the ${scale} scale ends (${r[scale].max}) below where it starts (${r[scale].min})`);
  }
  const { min, max } = riskScoreRange(policy);
  const bands = r.bands;
  const seen = new Map<string, number>();
  bands.forEach((band, i) => {
    const path: PolicyPath = ['risk', 'bands', i];
    checkGroups(band.approvals, [...path, 'approvals']);
    const first = seen.get(band.name);
    if (first !== undefined) add([...path, 'name'], `band "${band.name}" is already defined at risk.bands[${first}]; names must be unique`);
    else seen.set(band.name, i);
    if (band.to !== undefined && band.to < band.from)
      add([...path, 'to'], `band "${band.name}" ends (${band.to}) before it starts (${band.from})`);
    if (band.to === undefined && i < bands.length - 1) {
      add(
        [...path, 'to'],
        `only the last band may be open-ended; band "${band.name}" needs "to" because "${bands[i + 1]?.name ?? ''}" follows it`,
      );
    }
    const prev = bands[i - 1];
    if (prev !== undefined && prev.to !== undefined) {
      if (band.from <= prev.to) {
        add(
          [...path, 'from'],
          `band "${band.name}" starts at ${band.from}, but band "${prev.name}" already covers scores up to ${prev.to}: bands must not overlap (list them from the lowest score up)`,
        );
      } else if (band.from > prev.to + 1) {
        add(
          [...path, 'from'],
          `scores ${prev.to + 1} to ${band.from - 1} are in no band: band "${band.name}" should start at ${prev.to + 1}`,
        );
      }
    }
  });
  const first = bands[0];
  const last = bands[bands.length - 1];
  if (first !== undefined && first.from > min) {
    add(
      ['risk', 'bands', 0, 'from'],
      `the lowest possible score is ${min} (lowest impact x lowest probability + smallest safety factor), but the first band starts at ${first.from}`,
    );
  }
  if (last !== undefined && last.to !== undefined && last.to < max) {
    add(
      ['risk', 'bands', bands.length - 1, 'to'],
      `the highest possible score is ${max}, but the last band ends at ${last.to}: leave "to" out of the last band or raise it`,
    );
  }
}
