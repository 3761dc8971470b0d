import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  baselineFollowUps,
  driftClockOf,
  dueExitCode,
  driftClockReport,
  dueControllers,
  type DriftClockChange,
  type DriftClockController,
} from '../../../src-shared/common/workflow/drift-clock.ts';
import { driftClockPolicy } from '../../../src-shared/common/workflow/policy-schema.ts';
import { loadPolicyYaml, parsePolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-06-15T12:00:00.000Z');
const daysAgo = (d: number): string => new Date(NOW.getTime() - d * DAY).toISOString();
const defaultText = (): string => readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8');
const DEFAULT = driftClockPolicy(loadPolicyYaml(defaultText(), 'default-policy.yaml'));

function controller(id: string, baselineDaysAgo: number | null, lastCheckDaysAgo: number | null, sha = `sha-${id}`): DriftClockController {
  return {
    id,
    name: `PLC-${id}`,
    lastCheckAt: lastCheckDaysAgo === null ? null : daysAgo(lastCheckDaysAgo),
    baselines: baselineDaysAgo === null ? [] : [{ version: 1, snapshotSha256: sha, approvedAt: daysAgo(baselineDaysAgo) }],
  };
}

describe('CIP-010 drift-check clock', () => {
  it('the default policy checks every 35 days and wants a baseline 30 days after a completed change', () => {
    expect(DEFAULT).toEqual({ checkEveryMinutes: 35 * 1440, baselineAfterChangeMinutes: 30 * 1440 });
  });

  it('a controller checked 34 days ago is not due; one checked 36 days ago is due, one day late', () => {
    const at34 = driftClockOf(controller('a', 100, 34), DEFAULT, NOW);
    expect(at34).toMatchObject({ status: 'ok', daysOverdue: 0, dueAt: new Date(NOW.getTime() + DAY).toISOString() });
    const at36 = driftClockOf(controller('b', 100, 36), DEFAULT, NOW);
    expect(at36).toMatchObject({ status: 'due', daysOverdue: 1, dueAt: daysAgo(1) });
  });

  it('a controller never checked runs from its baseline approval; one without a baseline has no clock', () => {
    expect(driftClockOf(controller('n', 40, null), DEFAULT, NOW)).toMatchObject({
      status: 'due',
      lastCheckAt: null,
      dueAt: daysAgo(5),
      daysOverdue: 5,
    });
    expect(driftClockOf(controller('f', 3, null), DEFAULT, NOW)).toMatchObject({
      status: 'ok',
      dueAt: new Date(NOW.getTime() + 32 * DAY).toISOString(),
    });
    expect(driftClockOf(controller('x', null, null), DEFAULT, NOW)).toMatchObject({
      status: 'no-baseline',
      dueAt: null,
      baselineVersion: null,
    });
  });

  it('a baseline approved after the last check restarts the clock', () => {
    expect(driftClockOf(controller('r', 2, 50), DEFAULT, NOW)).toMatchObject({ status: 'ok', baselineVersion: 1 });
  });

  it('is due exactly at the interval', () => {
    expect(driftClockOf(controller('e', 100, 35), DEFAULT, NOW).status).toBe('due');
  });

  it('a policy with a 7-day interval makes the 34-day-old check due and leaves a 6-day-old one alone', () => {
    const weekly = { checkEveryMinutes: 7 * 1440, baselineAfterChangeMinutes: 14 * 1440 };
    const report = driftClockReport([controller('a', 100, 34), controller('b', 100, 6), controller('c', null, null)], [], weekly, NOW);
    expect(dueControllers(report).map((r) => r.controllerId)).toEqual(['a']);
    expect(report.controllers.map((r) => [r.controllerId, r.status])).toEqual([
      ['a', 'due'],
      ['b', 'ok'],
      ['c', 'no-baseline'],
    ]);
    expect(report.controllers[0]?.daysOverdue).toBe(27);
  });
});

describe('CIP-010 baseline update after a completed change', () => {
  const change = (closedDaysAgo: number, after: Record<string, string>, targets = Object.keys(after)): DriftClockChange => ({
    id: `CHG-${closedDaysAgo}`,
    title: 'Recipe tweak',
    closedAt: daysAgo(closedDaysAgo),
    targetControllers: targets,
    afterSnapshots: after,
  });

  it('a change completed 31 days ago whose after-snapshot is not yet a baseline is overdue', () => {
    const [row, ...rest] = baselineFollowUps([controller('a', 60, 1)], [change(31, { a: 'after-a' })], DEFAULT, NOW);
    expect(rest).toEqual([]);
    expect(row).toMatchObject({
      changeId: 'CHG-31',
      controllerId: 'a',
      controller: 'PLC-a',
      afterSnapshotSha256: 'after-a',
      status: 'overdue',
      dueAt: daysAgo(1),
    });
  });

  it('one completed 29 days ago is pending, not yet overdue', () => {
    expect(baselineFollowUps([controller('a', 60, 1)], [change(29, { a: 'after-a' })], DEFAULT, NOW)).toMatchObject([
      { status: 'pending' },
    ]);
  });

  it('nothing is owed once the after-snapshot is the baseline, or a newer baseline was approved after the change', () => {
    expect(baselineFollowUps([controller('a', 40, 1, 'after-a')], [change(45, { a: 'after-a' })], DEFAULT, NOW)).toEqual([]);
    expect(baselineFollowUps([controller('a', 20, 1)], [change(31, { a: 'after-a' })], DEFAULT, NOW)).toEqual([]);
  });

  it('a target without an after-snapshot is still owed a baseline; unknown controllers are left out', () => {
    const rows = baselineFollowUps([controller('a', 60, 1)], [change(31, {}, ['a', 'gone'])], DEFAULT, NOW);
    expect(rows).toMatchObject([{ controllerId: 'a', afterSnapshotSha256: null, status: 'overdue' }]);
  });
});

describe('policy driftChecks section', () => {
  const withClocks = (block: string): string => `${defaultText().replace(/\ndriftChecks:[\s\S]*$/, '')}\n${block}\n`;

  it('is optional: left out, 35 and 30 days', () => {
    const p = loadPolicyYaml(withClocks(''), 'no-clocks.yaml');
    expect(driftClockPolicy(p)).toEqual({ checkEveryMinutes: 35 * 1440, baselineAfterChangeMinutes: 30 * 1440 });
  });

  it('takes a shorter interval', () => {
    const p = loadPolicyYaml(withClocks('driftChecks:\n  every: 7d\n  baselineAfterChange: 14d'), 'weekly.yaml');
    expect(driftClockPolicy(p)).toEqual({ checkEveryMinutes: 7 * 1440, baselineAfterChangeMinutes: 14 * 1440 });
  });

  it('refuses intervals longer than CIP-010 allows, too short, or not durations, naming the field', () => {
    const r = parsePolicyYaml(withClocks('driftChecks:\n  every: 40d\n  baselineAfterChange: 31d'), 'long.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.path, e.message])).toEqual([
      ['driftChecks.every', expect.stringMatching(/at most 35d: NERC CIP-010 R2\.1/)],
      ['driftChecks.baselineAfterChange', expect.stringMatching(/at most 30d: NERC CIP-010 R1\.3/)],
    ]);
    const short = parsePolicyYaml(withClocks('driftChecks:\n  every: 10m\n  baselineAfterChange: soon'), 'short.yaml');
    expect(short.ok ? [] : short.errors.map((e) => e.path + ': ' + e.message)).toEqual([
      expect.stringMatching(/^driftChecks\.every: must be at least 1h/),
      expect.stringMatching(/^driftChecks\.baselineAfterChange: "soon" is not a duration/),
    ]);
  });
});

describe('baseline drift --due exit code', () => {
  const ok = { drifted: false };
  const drift = { drifted: true };
  it('0 all clean, 3 drift (even with an unreachable one), 4 unreachable, 1 another error', () => {
    expect(dueExitCode({ checked: [ok, ok], errors: [] })).toBe(0);
    expect(dueExitCode({ checked: [], errors: [] })).toBe(0);
    expect(dueExitCode({ checked: [ok, drift], errors: [{ unreachable: true }] })).toBe(3);
    expect(dueExitCode({ checked: [ok], errors: [{ unreachable: true }] })).toBe(4);
    expect(dueExitCode({ checked: [ok], errors: [{ unreachable: true }, { unreachable: false }] })).toBe(1);
  });
});
