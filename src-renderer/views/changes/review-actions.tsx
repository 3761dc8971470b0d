import { useState } from 'react';
import type { SignerRule } from '../../components/signed-form.tsx';
import { useAppStore } from '../../state/app-store.ts';
import { ActionForm, fieldLabel } from './action-form.tsx';
import { BreakGlassApproval, EmergencyReport, RetrospectiveProgress } from './emergency-records.tsx';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import { postImplementationReviewStatus } from '../../../src-shared/common/workflow/post-implementation-review.ts';
import { minutesLeftInWindow, rollbackOutcome, rollbackOutcomeWords } from '../../../src-shared/common/workflow/rollback-guidance.ts';
import { SIGNED_ACTIONS, type SignedActionType } from '../../../src-shared/common/workflow/signed-actions.ts';
import { breakGlassSigners, type Eligibility } from '../../../src-shared/common/workflow/signer-eligibility.ts';

type Detail = OperationResponse<'changes.get'>;

/**
 * The reviews around the work, each a signed form of its own: the rollback decision matrix while the change is being
 * executed, the safety manager's sign-off of a safety-critical change, the break-glass approver's own signature and
 * the emergency report of a break-glass change, and the post-implementation review (with the new baselines) after CLOSE.
 */
export function ReviewActions({ detail, exclude }: { detail: Detail; exclude: ReadonlyMap<string, string> }) {
  const { state } = detail;
  const people = useAppStore((st) => st.people);
  if (state.status !== 'in-execution' && state.status !== 'rolled-back' && state.status !== 'closed') return null;
  const e = state.execution;
  const safety = state.review.evaluation.safety;
  const glass = e.breakGlass;
  const pir = postImplementationReviewStatus(state, new Date());
  return (
    <section className="panel reviews" aria-label="Reviews">
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
            type="safety-sign-off"
            title="Safety sign-off before CLOSE"
            say="Sign the safety checklist"
            rule={{ roles: safety.signOffRoles, what: 'sign off the safety checklist', exclude }}
            items={safety.checklist}
            itemsField="confirmed"
            build={(confirmed) => ({ confirmed })}
          />
        ))}
      {glass !== null && glass.approverSignedAt !== null && <BreakGlassApproval glass={glass} />}
      {glass !== null && glass.approverSignedAt === null && (
        <SignedAction
          changeId={state.id}
          type="confirm-break-glass"
          title={`${glass.approver.name} signs the break-glass approval`}
          say="Sign the approval"
          rule={{ roles: null, what: 'sign the break-glass approval' }}
          eligible={breakGlassSigners(state, 'confirm-break-glass', people)}
          build={() => ({})}
        />
      )}
      {glass !== null &&
        (e.emergencyReport ? (
          <EmergencyReport report={e.emergencyReport} />
        ) : (
          <SignedAction
            changeId={state.id}
            type="emergency-report"
            say="Sign the report"
            rule={{ roles: null, what: 'write the emergency report' }}
            eligible={breakGlassSigners(state, 'emergency-report', people)}
            texts={['rootCause', 'contributingFactors', 'lessonsLearned', 'permanentFix']}
            build={(_c, t) => ({
              rootCause: t.rootCause ?? '',
              ...(t.contributingFactors?.trim() ? { contributingFactors: t.contributingFactors } : {}),
              lessonsLearned: t.lessonsLearned ?? '',
              permanentFix: t.permanentFix ?? '',
            })}
          />
        ))}
      {glass !== null && <RetrospectiveProgress execution={e} />}
      {e.retrospective?.rejection && (
        <p className="bad-text" data-testid="retrospective-rejection">
          Rejected by {e.retrospective.rejection.by.name}: {e.retrospective.rejection.reason} (follow-up:{' '}
          {e.retrospective.rejection.followUp.kind === 'rollback' ? 'rollback' : 'corrective change'}).
        </p>
      )}
      {(pir.status === 'due' || pir.status === 'overdue') && (
        <SignedAction
          changeId={state.id}
          type="post-implementation-review"
          title={`${SIGNED_ACTIONS['post-implementation-review'].title} ${pir.status === 'overdue' ? '(OVERDUE)' : '(due)'}: it approves the after-snapshots as the new baselines`}
          say="Sign the review and the new baselines"
          rule={{ roles: pir.reviewerRoles, what: 'review the change', exclude }}
          items={[fieldLabel('post-implementation-review', 'objectivesMet')]}
          texts={['findings', 'lessonsLearned']}
          build={(c, t) => ({
            objectivesMet: c.includes(fieldLabel('post-implementation-review', 'objectivesMet')),
            findings: t.findings ?? '',
            lessonsLearned: t.lessonsLearned ?? '',
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
  const outcome = rollbackOutcomeWords(rollbackOutcome(answers, left), left);
  const q = (k: keyof typeof answers, text: string) => (
    <label className="inline wide">
      <input type="checkbox" checked={answers[k]} onChange={(e) => setAnswers({ ...answers, [k]: e.target.checked })} /> {text}
    </label>
  );
  return (
    <SignedAction
      type="rollback-decision"
      changeId={state.id}
      title={`Something went wrong? The ${SIGNED_ACTIONS['rollback-decision'].title.toLowerCase()}`}
      say="Sign the decision"
      rule={{ roles: null, what: 'decide on rollback' }}
      build={() => ({ answers })}
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

/** One review's signed form: optional checklist items (`itemsField`) and texts (table fields by name) before the signer. */
function SignedAction({
  type,
  changeId,
  title,
  say,
  rule,
  eligible,
  items = [],
  itemsField,
  texts = [],
  build,
  children,
}: {
  type: SignedActionType;
  changeId: string;
  title?: string;
  say: string;
  rule: SignerRule;
  /** Who may sign, when named people sign rather than holders of a role (the break-glass approver, the responder). */
  eligible?: Eligibility;
  items?: readonly string[];
  itemsField?: string;
  texts?: string[];
  build(confirmed: string[], texts: Record<string, string>): Record<string, unknown>;
  children?: React.ReactNode;
}) {
  const [confirmed, setConfirmed] = useState<string[]>([]);
  const [written, setWritten] = useState<Record<string, string>>({});
  return (
    <ActionForm
      type={type}
      changeId={changeId}
      {...(title ? { name: title, heading: <h4 className="wide">{title}</h4> } : {})}
      lead={
        <>
          {children}
          {itemsField && items.length > 0 && <p className="wide">{fieldLabel(type, itemsField)}:</p>}
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
          {texts.map((name) => (
            <label key={name} className="wide">
              {fieldLabel(type, name)}
              <textarea
                rows={2}
                aria-label={fieldLabel(type, name)}
                value={written[name] ?? ''}
                onChange={(e) => setWritten({ ...written, [name]: e.target.value })}
              />
            </label>
          ))}
        </>
      }
      rule={rule}
      {...(eligible ? { eligible } : {})}
      fields={() => build(confirmed, written)}
      button={say}
      done="Signed."
      onAccepted={() => {
        setConfirmed([]);
        setWritten({});
      }}
    />
  );
}
