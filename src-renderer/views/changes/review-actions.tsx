import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, useSigner } from '../../components/signed-form.tsx';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { postImplementationReviewStatus } from '../../../src-shared/common/workflow/post-implementation-review.ts';
import { ROLLBACK_OUTCOME_TEXT, minutesLeftInWindow, rollbackOutcome } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import type { SignedAction } from '../../../src-shared/common/workflow/signed-actions.ts';

type Detail = OperationResponse<'changes.get'>;

/**
 * The reviews around the work, each a signed form of its own: the rollback decision matrix while the change is being
 * executed, the safety manager's sign-off of a safety-critical change, the break-glass approver's own signature and
 * the emergency report of a break-glass change, and the post-implementation review (with the new baselines) after CLOSE.
 */
export function ReviewActions({ detail, exclude }: { detail: Detail; exclude: ReadonlyMap<string, string> }) {
  const { state } = detail;
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return null;
  const e = state.execution;
  const safety = state.review.evaluation.safety;
  const glass = e.breakGlass;
  const pir = postImplementationReviewStatus(state, new Date());
  return (
    <section className="panel" aria-label="Reviews">
      <h3>Reviews</h3>
      {state.status === 'in-execution' && <RollbackDecision state={state} />}
      {state.status === 'in-execution' &&
        safety !== undefined &&
        safety.signOffRoles.length > 0 &&
        (e.safetySignOff ? (
          <p className="ok-text" data-testid="safety-sign-off">
            Safety checklist signed off by {e.safetySignOff.by.name}.
          </p>
        ) : (
          <SignedAction
            changeId={state.id}
            title="Safety sign-off before CLOSE"
            say="Sign the safety checklist"
            rule={{ roles: safety.signOffRoles, what: 'sign off the safety checklist', exclude }}
            items={safety.checklist}
            build={(confirmed) => ({ type: 'safety-sign-off', role: safety.signOffRoles[0]!, confirmed })}
          />
        ))}
      {glass !== null && glass.approverSignedAt === null && (
        <SignedAction
          changeId={state.id}
          title={`${glass.approver.name} signs the break-glass approval`}
          say="Sign the approval"
          rule={{ roles: null, what: 'sign the break-glass approval' }}
          build={() => ({ type: 'confirm-break-glass' })}
        />
      )}
      {glass !== null &&
        (e.emergencyReport ? (
          <p data-testid="emergency-report">
            Emergency report by {e.emergencyReport.by.name}: root cause {e.emergencyReport.rootCause}; lessons learned{' '}
            {e.emergencyReport.lessonsLearned}; permanent fix {e.emergencyReport.permanentFix}.
          </p>
        ) : (
          <SignedAction
            changeId={state.id}
            title="Emergency report"
            say="Sign the report"
            rule={{ roles: null, what: 'write the emergency report' }}
            texts={['Root cause', 'Lessons learned', 'Permanent fix (change number or ticket, or why none)']}
            build={(_c, t) => ({ type: 'emergency-report', rootCause: t[0] ?? '', lessonsLearned: t[1] ?? '', permanentFix: t[2] ?? '' })}
          />
        ))}
      {e.retrospective?.rejection && (
        <p className="bad-text" data-testid="retrospective-rejection">
          Rejected by {e.retrospective.rejection.by.name}: {e.retrospective.rejection.reason} (follow-up:{' '}
          {e.retrospective.rejection.followUp.kind === 'rollback' ? 'rollback' : 'corrective change'}).
        </p>
      )}
      {(pir.status === 'due' || pir.status === 'overdue') && (
        <SignedAction
          changeId={state.id}
          title={`Post-implementation review ${pir.status === 'overdue' ? '(OVERDUE)' : '(due)'}: it approves the after-snapshots as the new baselines`}
          say="Sign the review and the new baselines"
          rule={{ roles: pir.reviewerRoles, what: 'review the change', exclude }}
          items={['Objectives met']}
          texts={['Findings', 'Lessons learned']}
          build={(c, t) => ({
            type: 'post-implementation-review',
            role: pir.reviewerRoles[0]!,
            objectivesMet: c.includes('Objectives met'),
            findings: t[0] ?? '',
            lessonsLearned: t[1] ?? '',
          })}
        />
      )}
      {pir.status === 'done' && (
        <p className="ok-text" data-testid="pir">
          Post-implementation review by {pir.record.by.name}; new baseline{pir.record.baselines.length === 1 ? '' : 's'} approved.
        </p>
      )}
    </section>
  );
}

/** The change guide's rollback decision matrix, asked question by question, its outcome shown before signing. */
function RollbackDecision({ state }: { state: ChangeState }) {
  const [answers, setAnswers] = useState({ safetyImpact: false, productionCritical: false, workaroundAvailable: false });
  const left = minutesLeftInWindow(state, new Date());
  const outcome = ROLLBACK_OUTCOME_TEXT[rollbackOutcome(answers, left)];
  const q = (k: keyof typeof answers, text: string) => (
    <label className="inline wide">
      <input type="checkbox" checked={answers[k]} onChange={(e) => setAnswers({ ...answers, [k]: e.target.checked })} /> {text}
    </label>
  );
  return (
    <SignedAction
      changeId={state.id}
      title="Something went wrong? The rollback decision"
      say="Sign the decision"
      rule={{ roles: null, what: 'decide on rollback' }}
      build={() => ({ type: 'rollback-decision', answers })}
    >
      {q('safetyImpact', 'Is there a safety impact?')}
      {q('productionCritical', 'Is production critically affected?')}
      {q('workaroundAvailable', 'Is a workaround available?')}
      <p className="wide" data-testid="rollback-outcome">
        <strong>{outcome.label}</strong>: {outcome.says} {left === null ? '' : `(${left} min left in the window)`}
      </p>
    </SignedAction>
  );
}

/** One signed form: optional checklist items and texts, a signer with their password, the outcome. */
function SignedAction({
  changeId,
  title,
  say,
  rule,
  items = [],
  texts = [],
  build,
  children,
}: {
  changeId: string;
  title: string;
  say: string;
  rule: Parameters<typeof SignerFields>[0]['rule'];
  items?: string[];
  texts?: string[];
  build(confirmed: string[], texts: string[]): SignedAction;
  children?: React.ReactNode;
}) {
  const act = useAppStore((st) => st.actOnChange);
  const signer = useSigner();
  const [confirmed, setConfirmed] = useState<string[]>([]);
  const [written, setWritten] = useState<string[]>(texts.map(() => ''));
  async function sign(e: React.FormEvent) {
    e.preventDefault();
    const err = await act({ id: changeId, employeeId: signer.employeeId, password: signer.password, action: build(confirmed, written) });
    signer.settle(err, 'Signed.');
  }
  return (
    <form className="form" aria-label={title} onSubmit={(e) => void sign(e)}>
      <h4 className="wide">{title}</h4>
      {children}
      {items.map((i) => (
        <label key={i} className="inline wide">
          <input
            type="checkbox"
            checked={confirmed.includes(i)}
            onChange={(e) => setConfirmed(e.target.checked ? [...confirmed, i] : confirmed.filter((x) => x !== i))}
          />{' '}
          {i}
        </label>
      ))}
      {texts.map((t, k) => (
        <label key={t} className="wide">
          {t}
          <textarea
            rows={2}
            aria-label={t}
            value={written[k] ?? ''}
            onChange={(e) => setWritten(written.map((w, j) => (j === k ? e.target.value : w)))}
          />
        </label>
      ))}
      <SignerFields
        label="Signed by"
        {...signer}
        {...(rule ? { rule } : {})}
        covers="what you fill in and confirm in this form, and the change, its snapshots and its diffs as shown above."
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
          {say}
        </button>
      </div>
      <Outcome error={signer.error} done={signer.done} />
    </form>
  );
}
