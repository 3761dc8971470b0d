/**
 * The shipped default policy raises its revision whenever its text changes: every signature records the policy
 * revision and its text hash, so two different texts under one revision would make old signatures ambiguous.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicyYaml } from '../../../src-shared/common/workflow/policy-yaml.ts';

const text = readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8');
const recorded = (
  JSON.parse(readFileSync(new URL('../../fixtures/policy/default-policy-revisions.json', import.meta.url), 'utf8')) as {
    revisions: Record<string, string>;
  }
).revisions;

/** The problem with a policy text against the recorded hashes per revision, or null when it is recorded as shipped. */
function revisionProblem(yaml: string, hashes: Record<string, string>): string | null {
  const revision = loadPolicyYaml(yaml, 'default-policy.yaml').revision;
  const sha = createHash('sha256').update(yaml).digest('hex');
  const known = hashes[String(revision)];
  if (known === undefined) return `revision ${revision} has no recorded hash: record ${sha} for it`;
  if (known !== sha)
    return `the text of revision ${revision} changed (recorded ${known.slice(0, 12)}…, now ${sha.slice(0, 12)}…): raise the revision and record the new hash`;
  const max = Math.max(...Object.keys(hashes).map(Number));
  if (revision !== max) return `revision ${revision} is older than the latest recorded (${max})`;
  return null;
}

describe('the shipped default policy', () => {
  it('has a recorded text hash for its revision, and it is the latest one', () => {
    expect(revisionProblem(text, recorded)).toBeNull();
  });

  it('is caught when its text changes without a new revision', () => {
    const edited = text.replace('maxFailures: 3', 'maxFailures: 4');
    expect(edited).not.toBe(text);
    expect(revisionProblem(edited, recorded)).toMatch(/^the text of revision \d+ changed .*raise the revision/);
  });

  it('is caught when the revision is raised without recording its hash', () => {
    const raised = text.replace(/^revision: (\d+)$/m, (_m, n: string) => `revision: ${Number(n) + 1}`);
    expect(revisionProblem(raised, recorded)).toMatch(/has no recorded hash/);
  });

  it('keeps every earlier revision recorded (a hash is never rewritten)', () => {
    const revision = loadPolicyYaml(text, 'default-policy.yaml').revision;
    for (let r = 1; r <= revision; r++) expect(recorded[String(r)], `revision ${r}`).toMatch(/^[0-9a-f]{64}$/);
  });
});
