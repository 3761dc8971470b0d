import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { signatureLockout } from '../../../src-shared/common/workflow/policy-schema.ts';
import { formatPolicyError, loadPolicyYaml, parsePolicyYaml, type PolicyError } from '../../../src-shared/common/workflow/policy-yaml.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/policy/${name}`, import.meta.url), 'utf8');
const defaultPolicyText = (): string => readFileSync(new URL('../../../resources/policy/default-policy.yaml', import.meta.url), 'utf8');

function errorsOf(text: string, file: string): PolicyError[] {
  const r = parsePolicyYaml(text, file);
  if (r.ok) throw new Error(`expected ${file} to be refused`);
  return r.errors;
}

/**
 * The lines a fixture marks as wrong: `# expect: a.b | c.d` on a line means an error on THAT line for each path
 * (`(yaml)` = a YAML syntax error, which has no field path). Counting lines here, independently of the parser,
 * is what makes the line numbers in the errors trustworthy.
 */
function expectedMarks(text: string): string[] {
  const marks: string[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /# expect: (.+)$/.exec(line);
    if (m === null) return;
    for (const path of (m[1] ?? '').split('|').map((p) => p.trim())) marks.push(`${i + 1} ${path === '(yaml)' ? '' : path}`);
  });
  return marks.sort();
}

describe('policy YAML: the default policy', () => {
  it('is valid and carries the seed values', () => {
    const r = parsePolicyYaml(defaultPolicyText(), 'default-policy.yaml');
    if (!r.ok) throw new Error(r.errors.map(formatPolicyError).join('\n'));
    const p = r.policy;
    expect(p.schema).toBe('baseline.policy/1');
    expect(p.plant.timeZone).toBe('America/Chicago');
    expect(p.approvalGroups['cab']).toMatchObject({ quorum: 2, roles: ['plant-engineering-manager', 'ot-security', 'quality-compliance'] });
    expect(p.tiers[1]).toMatchObject({ approvals: ['cab'], notice: { minutes: 48 * 60, sameShift: false }, staging: true });
    expect(p.tiers[2]).toMatchObject({
      approvals: ['single-approver'],
      notice: { minutes: 24 * 60, sameShift: false },
      staging: false,
      diffReview: true,
    });
    expect(p.tiers[3]).toMatchObject({ approvals: ['single-approver'], notice: { minutes: 0, sameShift: true } });
    expect(p.classes.emergency.breakGlass).toMatchObject({ retrospectiveWithin: 24 * 60, retrospectiveApprovals: ['cab'] });
    expect(p.classes['safety-critical']).toMatchObject({
      dualControl: true,
      approvals: ['technical-review', 'process-safety', 'safety-manager', 'cab'],
    });
    expect(p.approvalGroups['cab']).toMatchObject({ quorum: 2, accountable: ['ot-security', 'quality-compliance'] });
    expect(p.safetyReview?.steps.map((x) => x.name)).toEqual(['Technical review', 'Safety / PHA review', 'CAB approval']);
    expect(p.postImplementationReview).toMatchObject({ classes: ['normal', 'safety-critical'], within: 72 * 60 });
    expect(p.risk.bands.map((b) => [b.name, b.from, b.to])).toEqual([
      ['low', 1, 4],
      ['medium', 5, 9],
      ['high', 10, 15],
      ['critical', 16, undefined],
    ]);
    expect(p.classes.normal.requiredFields).toEqual(expect.arrayContaining(['rollbackPlan', 'testPlan', 'proposedChange', 'itsmTicket']));
    expect(p.classes['safety-critical'].requiredFields).toContain('mocReference');
  });

  it('gives the identity service its lockout in milliseconds', () => {
    const policy = loadPolicyYaml(defaultPolicyText(), 'default-policy.yaml');
    expect(signatureLockout(policy)).toEqual({ maxFailures: 3, windowMs: 15 * 60_000, lockMs: 30 * 60_000 });
  });

  it('reads the minimal test policy, filling in defaults', () => {
    const p = loadPolicyYaml(fixture('minimal.yaml'), 'minimal.yaml');
    expect(p.classes.normal).toMatchObject({ dualControl: false, staging: false, diffReview: false, notice: 0, requiresWindow: true });
    expect(p.blackouts).toEqual([]);
    expect(signatureLockout(p)).toEqual({ maxFailures: 5, windowMs: 10 * 60_000, lockMs: 60 * 60_000 });
  });
});

describe('policy YAML: every error names the file, the line and the field', () => {
  it.each([
    ['quorum-zero.yaml', /must be at least 1/],
    ['quorum-exceeds-roles.yaml', /quorum 2 is more than the 1 role that may sign \(manager\).*could never be met/],
    ['unknown-role.yaml', /unknown role "manger"; the roles this policy declares are engineer, manager/],
    ['unknown-group.yaml', /unknown approval group "board"/],
    [
      'blackout-end-before-start.yaml',
      /blackout "year-end-freeze" ends \(2026-01-05T23:59:59Z\) before it starts \(2026-12-15T00:00:00Z\)/,
    ],
    ['bad-time-zone.yaml', /"Mars\/Olympus" is not an IANA time zone name/],
    ['risk-bands-overlap.yaml', /band "medium" starts at 4, but band "low" already covers scores up to 4/],
    ['unknown-field.yaml', /unknown field "quorom"/],
    ['dual-control-one-signature.yaml', /dual control needs two different people/],
    ['duplicate-window.yaml', /window "sunday-night" is already defined at windows\[0\]/],
    ['supersede-cycle.yaml', /approval groups cab -> single -> cab supersede each other in a circle/],
    ['no-window-for-class.yaml', /normal changes must start inside a change window, but no window/],
    ['many-problems.yaml', /must be at least 1/],
    ['wrong-version.yaml', /version 2 of the policy format is not known to this Baseline, which reads baseline.policy\/1/],
    ['duplicate-key.yaml', /YAML syntax: Map keys must be unique/],
  ])('%s', (file, message) => {
    const text = fixture(file);
    const errors = errorsOf(text, file);
    expect(errors.map((e) => `${e.line} ${e.path}`).sort()).toEqual(expectedMarks(text));
    expect(errors.every((e) => e.file === file)).toBe(true);
    expect(errors.map((e) => e.message).join('\n')).toMatch(message);
    for (const e of errors) expect(formatPolicyError(e)).toMatch(new RegExp(`^${file.replace('.', '\\.')} line ${e.line}(, |: )`));
  });

  it('writes each error as "file line N, field: message"', () => {
    const [e] = errorsOf(fixture('quorum-zero.yaml'), 'policy.yaml');
    expect(e === undefined ? '' : formatPolicyError(e)).toBe('policy.yaml line 19, approvalGroups.cab.quorum: must be at least 1');
  });

  it('collects every shape problem of a file in one pass, in line order', () => {
    const errors = errorsOf(fixture('many-problems.yaml'), 'many-problems.yaml');
    expect(errors.map(formatPolicyError)).toEqual([
      'many-problems.yaml line 3, revision: must be at least 1',
      'many-problems.yaml line 55, classes.safety-critical.dualControl: must be true or false (found "yes please")',
      'many-problems.yaml line 62, tiers.3.notice: "2 hours" is not a notice period: write it like 24h or 2d, or same-shift',
      'many-problems.yaml line 78, windows[0].periods[0].days[0]: "funday" is not a weekday: write sun, mon, tue, wed, thu, fri, sat (or the full names)',
      'many-problems.yaml line 78, windows[0].periods[0].start: must be a time of day such as 06:00 (24-hour clock; 24:00 is the end of the day)',
      'many-problems.yaml line 84, signatures.lockout.window: must be longer than zero',
      'many-problems.yaml line 84, signatures.lockout.lockFor: "forever" is not a duration: write it like 30m, 24h, 2d or 1h30m',
    ]);
  });

  it('reports a missing field at its parent and a misspelt one at itself', () => {
    const errors = errorsOf(fixture('unknown-field.yaml'), 'unknown-field.yaml');
    expect(errors.map(formatPolicyError)).toEqual([
      'unknown-field.yaml line 16, approvalGroups.cab.quorum: is required',
      'unknown-field.yaml line 19, approvalGroups.cab.quorom: unknown field "quorom" (check its spelling and indentation)',
    ]);
  });

  it('refuses a fixed offset in place of a time zone, saying why', () => {
    const errors = errorsOf(fixture('bad-time-zone.yaml'), 'bad-time-zone.yaml');
    expect(errors.find((e) => e.path === 'windows[0].timeZone')?.message).toMatch(/"\+01:00" is a fixed UTC offset, not a time zone/);
  });

  it('reports a tab used for indentation at its line', () => {
    const errors = errorsOf(fixture('tab-indent.yaml'), 'tab-indent.yaml');
    expect(errors[0]).toMatchObject({ line: 24, path: '', message: 'YAML syntax: Tabs are not allowed as indentation' });
  });

  it('refuses files that are not a policy at all', () => {
    expect(errorsOf('', 'empty.yaml')).toEqual([
      {
        file: 'empty.yaml',
        line: 1,
        column: 1,
        path: '',
        message: expect.stringMatching(/the file is empty; a policy starts with "schema: baseline.policy\/1"/) as unknown as string,
      },
    ]);
    expect(errorsOf('- a\n- b\n', 'list.yaml')[0]?.message).toMatch(/must be a mapping of fields/);
    expect(errorsOf('name: x\n', 'noschema.yaml')[0]).toMatchObject({
      line: 1,
      path: 'schema',
      message: expect.stringMatching(/is required/) as unknown as string,
    });
    expect(errorsOf('schema: baseline.snapshot/1\n', 'snap.yaml')[0]?.message).toMatch(
      /"baseline.snapshot\/1" is not a Baseline policy format/,
    );
    expect(errorsOf('a: 1\n---\nb: 2\n', 'two.yaml')[0]?.message).toMatch(/YAML syntax: Source contains multiple documents/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'schema: baseline.policy/1',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    expect(errorsOf(bomb, 'bomb.yaml')[0]?.message).toMatch(/YAML cannot be read: .*alias/i);
  });

  it('throws one policy-invalid error listing every problem', () => {
    let thrown: unknown;
    try {
      loadPolicyYaml(fixture('many-problems.yaml'), 'many-problems.yaml');
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BaselineError);
    const e = thrown as BaselineError;
    expect(e.code).toBe('policy-invalid');
    expect(e.message).toMatch(
      /^The policy many-problems.yaml cannot be used: 7 problems \(many-problems.yaml line 3, revision: must be at least 1; .*; and 4 more\)\.$/,
    );
    expect((e.details?.['errors'] as unknown[]).length).toBe(7);
  });

  it('reads a byte-order mark and CRLF line ends like any other file', () => {
    const text = `\uFEFF${fixture('quorum-zero.yaml').replace(/\n/g, '\r\n')}`;
    expect(errorsOf(text, 'crlf.yaml').map((e) => [e.line, e.path])).toEqual([[19, 'approvalGroups.cab.quorum']]);
  });
});
