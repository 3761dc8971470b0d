// Executing a change: go/no-go checkpoints, before- and after-snapshots, the window timer, and unexpected after-diff rows.
import { describe, expect, it } from 'vitest';
import { emptyChangeRequest } from '../../../src-shared/common/workflow/change-request.ts';
import { changeName } from '../../../src-shared/common/workflow/change-state.ts';
import { newChange, type ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { windowTimer } from '../../../src-shared/common/workflow/change-deadlines.ts';
import { transition } from '../../../src-shared/common/workflow/change-transition.ts';
import type { Policy } from '../../../src-shared/common/workflow/policy-schema.ts';
import { line } from './packaging-plant.ts';
import {
  CHECKPOINTS,
  H,
  IN_SLOT,
  NOW,
  SLOT,
  all,
  approveOp,
  checkpointOp,
  ctx,
  draft,
  eng,
  explainOp,
  later,
  must,
  pem,
  policy,
  refusal,
  sample,
  snapshotOp,
  supervisor,
} from './change-transition-fixture.ts';

describe('a change as data', () => {
  it('starts as a draft with no review', () => {
    expect(newChange('CHG-9', { id: 'p', name: 'P' }, emptyChangeRequest(), NOW)).toEqual({
      id: 'CHG-9',
      requester: { id: 'p', name: 'P' },
      createdAt: NOW.toISOString(),
      fields: emptyChangeRequest(),
      status: 'draft',
      review: null,
    });
  });

  it('keeps the change number given at filing through every state', () => {
    const states = Object.entries(all);
    expect(states.length).toBeGreaterThan(8);
    for (const [name, state] of states)
      expect([name, state.number]).toEqual([name, state.id === 'CHG-1' ? 'CR-0001' : `CR-000${state.id.slice(4)}`]);
    expect(changeName(sample('closed'))).toBe('change CR-0001 "Raise filler speed setpoint"');
    expect(changeName(newChange('0192abcd-ffff', eng, emptyChangeRequest(), NOW))).toBe('change #0192abcd');
  });

  it('the same operations on the same state give the same result (pure)', () => {
    const a = transition(sample('submitted'), approveOp(), ctx(later(H)));
    const b = transition(sample('submitted'), approveOp(), ctx(later(H)));
    expect(a).toEqual(b);
    expect(sample('submitted').status).toBe('submitted');
  });

  it('uses only the policy given in the context', () => {
    const strict: Policy = {
      ...policy,
      classes: {
        ...policy.classes,
        normal: { ...policy.classes.normal, requiredFields: [...policy.classes.normal.requiredFields, 'mocReference'] },
      },
    };
    expect(refusal(transition(draft(), { type: 'submit', by: eng }, { ...ctx(NOW), policy: strict })).message).toMatch(/MOC reference/);
  });
});

describe('go/no-go checkpoints at the cabinet, signed by a shift supervisor', () => {
  const executing = (): ChangeState => must(transition(sample('in-execution'), snapshotOp('before'), ctx(IN_SLOT)));
  const records = (s: ChangeState) =>
    s.status === 'in-execution' || s.status === 'rolled-back' || s.status === 'closed' ? (s.execution.checkpoints ?? []) : [];

  it("the shipped checkpoints are the change guide's four, in order, with their decisions", () => {
    expect(CHECKPOINTS.checkpoints.map((c) => [c.name, c.decisions.map((d) => d.label)])).toEqual([
      ['Pre-execution verification', ['GO', 'NO-GO']],
      ['Mid-change assessment', ['CONTINUE', 'ROLLBACK']],
      ['Pre-cutover verification', ['CUTOVER', 'ROLLBACK']],
      ['Post-change validation', ['CLOSE', 'EXTENDED MONITORING', 'ROLLBACK']],
    ]);
  });

  it('nobody signs the checkpoints of their own change; only the checkpoint role signs', () => {
    expect(
      refusal(
        transition(
          executing(),
          checkpointOp('pre-execution', 'go', { by: { ...eng, roles: [...eng.roles, 'shift-supervisor'] } }),
          ctx(IN_SLOT),
        ),
      ),
    ).toEqual({
      rule: 'segregation-of-duties',
      message:
        'Segregation of duties: Erin Engineer filed change CR-0001 "Raise filler speed setpoint" and cannot sign its checkpoints; nobody go/no-go signs their own change.',
    });
    expect(
      refusal(transition(executing(), checkpointOp('pre-execution', 'go', { by: pem, role: 'plant-engineering-manager' }), ctx(IN_SLOT))),
    ).toEqual({
      rule: 'role-not-held',
      message:
        'Role not held: checkpoint decisions are signed as Shift supervisor; Pat Manager holds Plant engineering manager and signed as Plant engineering manager.',
    });
  });

  it('the witness of the start does not sign its checkpoints either', () => {
    // The witness is recorded when dual control applies (safety-critical changes); here set on the executing sample.
    const started = executing();
    if (started.status !== 'in-execution') throw new Error('unreachable');
    const s: ChangeState = { ...started, execution: { ...started.execution, witness: { id: supervisor.id, name: supervisor.name } } };
    expect(refusal(transition(s, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'segregation-of-duties',
      message: expect.stringMatching(/Sid Supervisor witnesses change CR-0001 "Raise filler speed setpoint"/) as unknown as string,
    });
  });

  it('checkpoints are signed in order, and a GO needs every item confirmed', () => {
    expect(refusal(transition(executing(), checkpointOp('mid-change', 'continue'), ctx(IN_SLOT)))).toEqual({
      rule: 'checkpoint-order',
      message:
        'Checkpoint order: the checkpoint due on change CR-0001 "Raise filler speed setpoint" is Pre-execution verification; Mid-change assessment cannot be signed now (checkpoints are signed in order: ' +
        'Pre-execution verification, Mid-change assessment, Pre-cutover verification, Post-change validation).',
    });
    const items = CHECKPOINTS.checkpoints[0]!.items;
    expect(refusal(transition(executing(), checkpointOp('pre-execution', 'go', { confirmed: items.slice(1) }), ctx(IN_SLOT)))).toEqual({
      rule: 'checklist-incomplete',
      message:
        'Checklist incomplete: GO at Pre-execution verification needs every item confirmed; not confirmed: Backup completed and verified (signed before-snapshot).',
    });
    const go = must(transition(executing(), checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)));
    expect(records(go)).toEqual([
      expect.objectContaining({
        checkpoint: 'pre-execution',
        label: 'GO',
        effect: 'proceed',
        by: { id: supervisor.id, name: supervisor.name },
        role: 'shift-supervisor',
      }),
    ]);
    expect(records(go)[0]!.items.every((i) => i.confirmed)).toBe(true);
    expect(refusal(transition(go, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT))).rule).toBe('checkpoint-order');
  });

  it('NO-GO before anything changed ends the execution as rolled back, with the comment; the comment is required', () => {
    expect(refusal(transition(executing(), checkpointOp('pre-execution', 'no-go', { confirmed: [] }), ctx(IN_SLOT))).rule).toBe(
      'reason-required',
    );
    const stopped = must(
      transition(executing(), checkpointOp('pre-execution', 'no-go', { confirmed: [], comment: 'Operators not briefed' }), ctx(IN_SLOT)),
    );
    expect(stopped.status).toBe('rolled-back');
    if (stopped.status !== 'rolled-back') throw new Error('unreachable');
    expect(stopped.rollback.reason).toBe('NO-GO at Pre-execution verification, before anything was changed: Operators not briefed');
    expect(must(transition(stopped, { type: 'close', by: eng }, ctx(IN_SLOT))).status).toBe('closed');
  });

  it('ROLLBACK mid-change rolls the change back; EXTENDED MONITORING keeps the last checkpoint open until CLOSE', () => {
    const go = must(transition(executing(), checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)));
    expect(
      must(transition(go, checkpointOp('mid-change', 'rollback', { confirmed: [], comment: 'Filler faults on restart' }), ctx(IN_SLOT)))
        .status,
    ).toBe('rolled-back');
    let s = must(transition(go, checkpointOp('mid-change', 'continue'), ctx(IN_SLOT)));
    s = must(transition(s, checkpointOp('pre-cutover', 'cutover'), ctx(IN_SLOT)));
    expect(refusal(transition(s, { type: 'close', by: eng }, ctx(IN_SLOT)))).toEqual({
      rule: 'checkpoints-open',
      message:
        'Checkpoints open: change CR-0001 "Raise filler speed setpoint" is closed as completed only after Post-change validation decides CLOSE; due now: Post-change validation.',
    });
    s = must(
      transition(
        s,
        checkpointOp('post-change', 'extended-monitoring', { confirmed: [], comment: 'Watch reject rate for one shift' }),
        ctx(IN_SLOT),
      ),
    );
    expect(s.status).toBe('in-execution');
    expect(refusal(transition(s, { type: 'close', by: eng }, ctx(IN_SLOT))).rule).toBe('checkpoints-open');
    expect(
      refusal(
        transition(
          s,
          checkpointOp('post-change', 'close'),
          ctx(IN_SLOT, [line('L09')], { controllerNames: { 'plc-l09-filler': 'PLC-L09-FILLER' } }),
        ),
      ),
    ).toEqual({
      rule: 'snapshots-missing',
      message:
        'Snapshots missing: CLOSE at Post-change validation needs a signed after-snapshot of every target controller; missing: PLC-L09-FILLER.',
    });
    s = must(transition(s, snapshotOp('after'), ctx(IN_SLOT)));
    s = must(transition(s, checkpointOp('post-change', 'close'), ctx(IN_SLOT)));
    expect(records(s).map((r) => r.label)).toEqual(['GO', 'CONTINUE', 'CUTOVER', 'EXTENDED MONITORING', 'CLOSE']);
    expect(refusal(transition(s, snapshotOp('after'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'snapshot-order',
      message: expect.stringMatching(/after-snapshots the supervisor's CLOSE was signed on cannot be replaced/) as unknown as string,
    });
    expect(refusal(transition(s, checkpointOp('post-change', 'close'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'checkpoint-order',
      message: expect.stringMatching(/no checkpoint of change CR-0001 "Raise filler speed setpoint" is open any more/) as unknown as string,
    });
    expect(must(transition(s, { type: 'close', by: eng }, ctx(IN_SLOT))).status).toBe('closed');
  });
});

describe('before- and after-snapshots recorded on the change', () => {
  it('GO needs the before-snapshot; a before-snapshot after the first checkpoint and an after-snapshot before GO are refused', () => {
    const s = sample('in-execution');
    expect(refusal(transition(s, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT))).rule).toBe('snapshots-missing');
    expect(refusal(transition(s, snapshotOp('after'), ctx(IN_SLOT)))).toMatchObject({
      rule: 'snapshot-order',
      message: expect.stringMatching(/only once Pre-execution verification let the work go on/) as unknown as string,
    });
    expect(refusal(transition(s, snapshotOp('before', 'plc-other'), ctx(IN_SLOT)))).toEqual({
      rule: 'snapshot-invalid',
      message: 'Snapshot not for this change: plc-other is not a target controller of change CR-0001 "Raise filler speed setpoint".',
    });
    const old = snapshotOp('before');
    if (old.type !== 'record-snapshot') throw new Error('unreachable');
    expect(refusal(transition(s, { ...old, snapshot: { ...old.snapshot, capturedAt: NOW.toISOString() } }, ctx(IN_SLOT)))).toMatchObject({
      rule: 'snapshot-order',
      message: expect.stringMatching(/was captured Wed 3 Jun 2026 10:00 CDT, before the execution started/) as unknown as string,
    });
    const before = must(transition(s, snapshotOp('before'), ctx(IN_SLOT)));
    const go = must(transition(before, checkpointOp('pre-execution', 'go'), ctx(later(60 * H))));
    expect(refusal(transition(go, snapshotOp('after'), ctx(later(61 * H)))).message).toMatch(
      /before Pre-execution verification let the work go on/,
    );
    expect(refusal(transition(go, snapshotOp('before'), ctx(IN_SLOT))).rule).toBe('snapshot-order');
    const goNow = must(transition(before, checkpointOp('pre-execution', 'go'), ctx(IN_SLOT)));
    const after = must(transition(goNow, snapshotOp('after'), ctx(IN_SLOT)));
    if (after.status !== 'in-execution') throw new Error('unreachable');
    expect(after.execution.snapshots?.map((x) => [x.phase, x.by.name, x.verification?.matches ?? null])).toEqual([
      ['before', eng.name, null],
      ['after', eng.name, true],
    ]);
  });
});

describe('the change-window timer during execution', () => {
  it('runs to the end of the slot, warns at 30 and 15 minutes, then says by how much the work overran', () => {
    const s = sample('in-execution');
    const end = Date.parse(SLOT.end);
    const at = (minutesBeforeEnd: number) => windowTimer(s, new Date(end - minutesBeforeEnd * 60_000));
    expect(at(45)).toEqual({ status: 'running', endsAt: SLOT.end, minutesLeft: 45 });
    expect(at(30).status).toBe('warn-30');
    expect(at(16).status).toBe('warn-30');
    expect(at(15).status).toBe('warn-15');
    expect(at(0.5)).toEqual({ status: 'warn-15', endsAt: SLOT.end, minutesLeft: 1 });
    expect(at(-7)).toEqual({ status: 'over', endsAt: SLOT.end, overMinutes: 7 });
    expect(windowTimer(sample('in-execution (break-glass)'), IN_SLOT)).toEqual({ status: 'no-slot' });
    expect(windowTimer(sample('scheduled'), IN_SLOT)).toEqual({ status: 'no-slot' });
  });
});

describe('unexpected and missing after-diff rows block CLOSE until explained and countersigned', () => {
  const open = () => sample('in-execution (unexpected row)');

  it('refuses the post-change CLOSE and the close naming the unexplained rows; a rollback is still allowed', () => {
    const r = transition(open(), checkpointOp('post-change', 'close'), ctx(IN_SLOT));
    expect(refusal(r)).toEqual({
      rule: 'unexplained-differences',
      message:
        'Unexplained differences: CLOSE at Post-change validation needs every row of the after-diff that the proposal did not foresee explained; not explained: plc-l09-filler Recipe (unexpected: Changed from 7 to 9, not proposed.).',
    });
    if (!r.ok) {
      expect(r.error.hint).toBe('Explain each row (signed by you and countersigned by a shift supervisor), or roll the change back.');
      expect(r.error.details).toMatchObject({ rows: [{ controllerId: 'plc-l09-filler', tag: 'Recipe', status: 'unexpected' }] });
    }
    const named = transition(
      open(),
      checkpointOp('post-change', 'close'),
      ctx(IN_SLOT, [line('L09')], { controllerNames: { 'plc-l09-filler': 'PLC-L09-FILLER' } }),
    );
    expect(refusal(named).message).toContain('not explained: PLC-L09-FILLER Recipe (unexpected');
    expect(must(transition(open(), { type: 'rollback', by: eng, reason: 'Recipe changed by mistake' }, ctx(IN_SLOT))).status).toBe(
      'rolled-back',
    );
  });

  it('refuses explanations by someone other than the engineer, countersigned by someone on the change or without the role, of rows not listed, or empty', () => {
    expect(refusal(transition(open(), explainOp({ by: pem }), ctx(IN_SLOT))).rule).toBe('explanation-invalid');
    const own = refusal(transition(open(), explainOp({ countersigner: { ...eng, roles: ['shift-supervisor'] } }), ctx(IN_SLOT)));
    expect(own).toEqual({
      rule: 'segregation-of-duties',
      message: `Segregation of duties: ${eng.name} filed change CR-0001 "Raise filler speed setpoint" and cannot countersign its explanations; nobody countersigns their own change.`,
    });
    expect(refusal(transition(open(), explainOp({ countersigner: pem, role: 'shift-supervisor' }), ctx(IN_SLOT))).rule).toBe(
      'role-not-held',
    );
    expect(
      refusal(
        transition(
          open(),
          explainOp({ explanations: [{ controllerId: 'plc-l09-filler', tag: 'SpeedSP', text: 'as proposed' }] }),
          ctx(IN_SLOT),
        ),
      ).message,
    ).toBe(
      'Explanation not accepted: plc-l09-filler SpeedSP is not an unexplained unexpected or missing row of change CR-0001 "Raise filler speed setpoint"\'s latest after-snapshot; still to explain: plc-l09-filler Recipe.',
    );
    expect(
      refusal(
        transition(open(), explainOp({ explanations: [{ controllerId: 'plc-l09-filler', tag: 'Recipe', text: '  ' }] }), ctx(IN_SLOT)),
      ).rule,
    ).toBe('reason-required');
    expect(refusal(transition(open(), explainOp({ explanations: [] }), ctx(IN_SLOT))).rule).toBe('explanation-invalid');
  });

  it('once explained, CLOSE is signed; the explanation is kept with both people; a row cannot be explained twice', () => {
    const explained = must(transition(open(), explainOp(), ctx(IN_SLOT)));
    if (explained.status !== 'in-execution') throw new Error('not executing');
    expect(explained.execution.explanations).toEqual([
      {
        controllerId: 'plc-l09-filler',
        snapshotSha256: 'c'.repeat(64),
        tag: 'Recipe',
        status: 'unexpected',
        text: 'Recipe 9 selected by the operator for the next order; not part of the change.',
        by: { id: eng.id, name: eng.name },
        countersignedBy: { id: supervisor.id, name: supervisor.name },
        at: IN_SLOT.toISOString(),
      },
    ]);
    expect(refusal(transition(explained, explainOp(), ctx(IN_SLOT))).rule).toBe('explanation-invalid');
    const closed = must(
      transition(must(transition(explained, checkpointOp('post-change', 'close'), ctx(IN_SLOT))), { type: 'close', by: eng }, ctx(IN_SLOT)),
    );
    expect(closed.status).toBe('closed');
  });
});
