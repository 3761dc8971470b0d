/**
 * The re-capture proof that ends a manual rollback (the change guide's rollback of logic or firmware with the vendor
 * tool, rollback-guidance.ts), the same proof as a restore ends in: after the guided procedure the controller is
 * captured again from the change screen, the capture is signed, and it is compared with the change's before-snapshot
 * (every configuration value, and every live value against its declared tolerance). The rollback counts as done only
 * when that re-capture matches, or each difference is explained by the engineer and countersigned by a shift
 * supervisor not on the change. Until then a rolled-back change with a manual rollback does not close.
 */
import type { ChangeState, Execution, ManualRollbackRecord } from './change-state.ts';
import { blankText, no, personRef, type OpOf, type RuleOutcome } from './rule-outcome.ts';
import type { RollbackProofDifference, RollbackProofRecord } from './rollback-proof-record.ts';

export type { RollbackProofDifference, RollbackProofRecord } from './rollback-proof-record.ts';

/** Differences kept on the record per re-capture (the rest are counted). */
export const MAX_PROOF_DIFFERENCES = 50;

/** Where one manual rollback stands. */
export type RollbackProofStatus =
  | { status: 'proof-due' }
  | { status: 'differences'; open: RollbackProofDifference[]; unlisted: number; proof: RollbackProofRecord }
  | { status: 'proven'; how: 'matches' | 'explained'; proof: RollbackProofRecord };

/** The latest manual rollback of each controller of an execution, in the order first recorded. */
export function latestManualRollbacks(execution: Execution): ManualRollbackRecord[] {
  const byController = new Map<string, ManualRollbackRecord>();
  for (const r of execution.manualRollbacks ?? []) byController.set(r.controllerId, r);
  return [...byController.values()];
}

/** Whether a manual rollback is proven by its re-capture: matched, differences open, or no re-capture yet. */
export function rollbackProofStatus(record: ManualRollbackRecord): RollbackProofStatus {
  const proof = record.proof;
  if (!proof) return { status: 'proof-due' };
  if (proof.matchesBefore) return { status: 'proven', how: 'matches', proof };
  const open = proof.differences.filter((d) => !proof.explanations.some((e) => e.tag === d.tag));
  if (open.length === 0 && proof.unlisted === 0) return { status: 'proven', how: 'explained', proof };
  return { status: 'differences', open, unlisted: proof.unlisted, proof };
}

/**
 * Records the signed re-capture of a controller rolled back by hand: only on a rolled-back change, only for a
 * controller whose manual rollback is signed, only a capture taken after that signature. A later re-capture replaces
 * an earlier one (and its explanations).
 */
export function rollbackProof(
  state: ChangeState,
  op: OpOf<'rollback-proof'>,
  now: Date,
  controllerName: (id: string) => string,
): RuleOutcome {
  if (state.status !== 'rolled-back')
    return no(
      'illegal-transition',
      'the re-capture proof of a manual rollback is recorded on a change that was rolled back.',
      'Roll the change back first.',
    );
  const name = controllerName(op.controllerId);
  const execution = state.execution;
  const records = execution.manualRollbacks ?? [];
  const index = records.map((r) => r.controllerId).lastIndexOf(op.controllerId);
  if (index < 0) {
    return no(
      'rollback-proof-invalid',
      `${name} has no signed manual rollback on this change, so there is nothing for a re-capture to prove.`,
      'Sign the manual rollback procedure for it first (or restore it from the before-snapshot).',
    );
  }
  const record = records[index]!;
  const before = (execution.snapshots ?? []).filter((x) => x.phase === 'before' && x.controllerId === op.controllerId).at(-1);
  if (!before || before.snapshotSha256 !== op.beforeSnapshotSha256) {
    return no(
      'rollback-proof-invalid',
      `the re-capture of ${name} was not compared with this change's before-snapshot.`,
      'Compare it with the before-snapshot recorded on the change.',
    );
  }
  if (!(Date.parse(op.snapshot.capturedAt) >= Date.parse(record.at))) {
    return no(
      'rollback-proof-invalid',
      `the capture of ${name} was taken at ${op.snapshot.capturedAt}, before the manual rollback was signed (${record.at}); the proof is a capture taken after the procedure.`,
      'Capture the controller again from the change screen and record that capture.',
    );
  }
  const differences = op.differences.slice(0, MAX_PROOF_DIFFERENCES).map((d) => ({ tag: d.tag, reason: d.reason }));
  const proof: RollbackProofRecord = {
    snapshotSha256: op.snapshot.sha256,
    capturedBy: op.snapshot.capturedBy,
    capturedAt: op.snapshot.capturedAt,
    by: personRef(op.by),
    at: now.toISOString(),
    beforeSnapshotSha256: before.snapshotSha256,
    matchesBefore: op.total === 0,
    differences,
    unlisted: Math.max(0, op.total - differences.length),
    explanations: [],
  };
  const manualRollbacks = records.map((r, i) => (i === index ? { ...r, proof } : r));
  return { ok: true, next: { ...state, execution: { ...execution, manualRollbacks } } };
}

/**
 * Explanations of a re-capture's differences on a rolled-back change: written and signed by the engineer who signed
 * the manual rollback (or who carried out the change), countersigned by a holder of a checkpoint role not on the change.
 */
export function explainRollbackProof(
  state: ChangeState,
  op: OpOf<'explain'>,
  signerRoles: readonly string[],
  now: Date,
  controllerName: (id: string) => string,
): RuleOutcome {
  if (state.status !== 'rolled-back')
    return no('illegal-transition', 're-capture differences are explained on a change that was rolled back.', 'Nothing to explain.');
  const records = latestManualRollbacks(state.execution);
  const engineers = new Set([state.execution.executor.id, ...records.map((r) => r.by.id)]);
  if (!engineers.has(op.by.id)) {
    return no(
      'explanation-invalid',
      `the engineer who rolled the controller back by hand (or carried out this change) explains its re-capture; ${op.by.name} did neither.`,
      'Ask the engineer who did the manual rollback to write and sign the explanations.',
    );
  }
  const c = op.countersigner;
  // The same people as for the checkpoints and the after-diff's explanations, and whoever did the manual rollback.
  const e = state.execution;
  const part =
    c.id === state.requester.id
      ? 'filed'
      : c.id === e.executor.id
        ? 'carries out'
        : c.id === e.witness?.id
          ? 'witnesses'
          : records.some((r) => r.by.id === c.id)
            ? 'rolled back by hand'
            : null;
  if (part !== null)
    return no(
      'segregation-of-duties',
      `${c.name} ${part} this change and cannot countersign its explanations; nobody countersigns their own work.`,
      'Ask a shift supervisor who is not on the change to countersign.',
    );
  if (!signerRoles.includes(op.role) || !c.roles.includes(op.role)) {
    return no(
      'role-not-held',
      `explanations are countersigned by a holder of a checkpoint role (${signerRoles.join(', ')}); ${c.name} holds ${c.roles.join(', ') || 'no role'}.`,
      'A shift supervisor countersigns the explanations.',
    );
  }
  if (op.explanations.length === 0)
    return no('explanation-invalid', 'no difference was explained.', 'Write an explanation for each difference of the re-capture.');
  const added = new Map<ManualRollbackRecord, RollbackProofRecord['explanations']>();
  for (const x of op.explanations) {
    const record = records.find((r) => r.controllerId === x.controllerId);
    const status = record ? rollbackProofStatus(record) : null;
    const open = status?.status === 'differences' ? status.open : [];
    const given = record ? (added.get(record) ?? []) : [];
    if (!record || !open.some((d) => d.tag === x.tag) || given.some((e) => e.tag === x.tag)) {
      return no(
        'explanation-invalid',
        `${controllerName(x.controllerId)} ${x.tag} is not an unexplained difference of a manual rollback's re-capture on this change${open.length > 0 ? `; still to explain: ${open.map((d) => d.tag).join(', ')}` : ''}.`,
        'Explain only the differences the re-capture lists.',
      );
    }
    if (blankText(x.text))
      return no(
        'reason-required',
        `the explanation of ${controllerName(x.controllerId)} ${x.tag} is empty.`,
        'Write why the value still differs from the before-snapshot.',
      );
    added.set(record, [
      ...given,
      { tag: x.tag, text: x.text.trim(), by: personRef(op.by), countersignedBy: personRef(c), at: now.toISOString() },
    ]);
  }
  const manualRollbacks = (state.execution.manualRollbacks ?? []).map((r) => {
    const more = added.get(r);
    return more && r.proof ? { ...r, proof: { ...r.proof, explanations: [...r.proof.explanations, ...more] } } : r;
  });
  return { ok: true, next: { ...state, execution: { ...state.execution, manualRollbacks } } };
}

/** The refusal of closing a rolled-back change while a manual rollback of it is not proven (null when all are). */
export function unprovenRollbacks(state: ChangeState, controllerName: (id: string) => string): RuleOutcome | null {
  if (!('execution' in state)) return null;
  const open = latestManualRollbacks(state.execution)
    .map((r) => ({ r, s: rollbackProofStatus(r) }))
    .filter(({ s }) => s.status !== 'proven');
  if (open.length === 0) return null;
  const words = open.map(({ r, s }) =>
    s.status === 'proof-due'
      ? `${controllerName(r.controllerId)} has not been captured again since its manual rollback`
      : `the re-capture of ${controllerName(r.controllerId)} still differs from the before-snapshot (${s.status === 'differences' ? [...s.open.map((d) => d.tag), ...(s.unlisted > 0 ? [`${s.unlisted} more`] : [])].join(', ') : ''}) without a countersigned explanation`,
  );
  return no(
    'rollback-unproven',
    `the manual rollback is not proven: ${words.join('; ')}.`,
    'Capture the controller again from the change screen and record the capture as the proof; explain any difference (countersigned by a shift supervisor), or roll it back again.',
    { controllers: open.map(({ r }) => r.controllerId) },
  );
}
