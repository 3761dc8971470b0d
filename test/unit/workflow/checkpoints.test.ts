import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BaselineError } from '../../../src-shared/common/errors.ts';
import { parseCheckpointsYaml } from '../../../src-shared/common/workflow/checkpoints.ts';

const shipped = readFileSync(fileURLToPath(new URL('../../../resources/checklists/execution-checkpoints.yaml', import.meta.url)), 'utf8');

function problemsOf(text: string): string[] {
  try {
    parseCheckpointsYaml(text, 'cp.yaml');
  } catch (e) {
    expect((e as BaselineError).code).toBe('checkpoints-invalid');
    return (e as BaselineError).details!.problems as string[];
  }
  throw new Error('accepted');
}

describe('execution checkpoint file', () => {
  it('the shipped file is valid', () => {
    expect(parseCheckpointsYaml(shipped, 'execution-checkpoints.yaml').checkpoints).toHaveLength(4);
  });

  it('refuses a file whose decisions could never let the work go on or close, naming line and field', () => {
    expect(
      problemsOf(
        shipped.replace('{ id: continue, label: CONTINUE, effect: proceed }', '{ id: continue, label: CONTINUE, effect: rollback }'),
      ),
    ).toEqual(['cp.yaml line 33, checkpoints.1.decisions: every checkpoint but the last needs a decision with effect proceed']);
    expect(
      problemsOf(shipped.replace('{ id: close, label: CLOSE, effect: close }', '{ id: close, label: CLOSE, effect: monitor }')),
    ).toEqual(['cp.yaml line 55, checkpoints.3.decisions: the last checkpoint needs a decision with effect close']);
    expect(problemsOf(shipped.replace('effect: stop', 'effect: abort'))[0]).toMatch(
      /^cp\.yaml line 22, checkpoints\.0\.decisions\.1\.effect: /,
    );
    expect(
      problemsOf(
        shipped.replace(
          '{ id: extended-monitoring, label: EXTENDED MONITORING, effect: monitor }',
          '{ id: onwards, label: ONWARDS, effect: proceed }',
        ),
      ),
    ).toEqual(['cp.yaml line 55, checkpoints.3.decisions: the last checkpoint has no next checkpoint to proceed to (use close)']);
    expect(problemsOf(shipped.replace('{ id: no-go, label: NO-GO, effect: stop }', '{ id: wait, label: WAIT, effect: monitor }'))).toEqual([
      'cp.yaml line 21, checkpoints.0.decisions: the first checkpoint decides whether the work starts: it cannot monitor',
    ]);
  });
});
