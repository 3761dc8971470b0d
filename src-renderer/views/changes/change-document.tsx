/**
 * The change request as the document a signature covers: summary, targets, the proposed diff (the same viewer as
 * every other diff), window and notice, risk and why, plans, references, and the conditions earlier approvers
 * attached. The signing form sits below it; it learns from `onProposalShown` when the proposal has been on screen
 * in full, because nobody approves what they have not been shown.
 */
import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { DiffTable } from '../../components/diff-table.tsx';
import { PlantPeriod, PlantTime } from '../../components/plant-time.tsx';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { fieldList } from '../../../src-shared/common/workflow/change-request.ts';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';

type Detail = OperationResponse<'changes.get'>;

/** Calls `onShown` once the element has been fully inside the viewport (and inside its scrolling parents). */
function useShownOnce(onShown: () => void) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting && e.intersectionRatio >= 0.98)) {
          onShown();
          io.disconnect();
        }
      },
      { threshold: [0.98, 1] },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [onShown]);
  return ref;
}

function Field({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div className="doc-field" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Text as written, or a visible "not given". */
function Text({ value }: { value: string }) {
  return value.trim() ? <span className="doc-text">{value}</span> : <span className="muted">not given</span>;
}

/** The change request as the document being signed. */
export function ChangeDocument({ detail, onProposalShown }: { detail: Detail; onProposalShown: () => void }) {
  const s = useAppStore(
    useShallow((st) => ({ plant: st.plant, zone: st.policy?.timeZone ?? 'UTC', roles: st.roles, controllers: st.controllers })),
  );
  const { state, evaluation, proposal } = detail;
  const f = state.fields;
  const roleLabel = (r: string) => roleName(s.roles, r);
  const lineOf = (id: string) => s.plant?.lines.find((l) => l.id === s.plant?.controllerLines[id]);
  const proposalRef = useShownOnce(onProposalShown);
  const conditions = (state.review?.approvals ?? []).filter((a) => a.conditions.length > 0);
  const slot = 'slot' in state ? state.slot : null;
  return (
    <article className="panel change-document" aria-label="Change request">
      <h3>The request</h3>
      <dl className="doc-fields">
        <Field label="Description">
          <Text value={f.description} />
        </Field>
        <Field label="Justification">
          <Text value={f.justification} />
        </Field>
        <Field label="Target controllers" testId="doc-targets">
          {f.targetControllers.length === 0 ? (
            <span className="muted">none chosen</span>
          ) : (
            <ul className="plain">
              {detail.targets.map((t) => {
                const line = lineOf(t.controllerId);
                const safety = s.plant?.safetyControllers.includes(t.controllerId) ?? false;
                return (
                  <li key={t.controllerId}>
                    <strong>{t.name}</strong>{' '}
                    {line ? `on line ${line.id} ${line.name ? `(${line.name}) ` : ''}· tier ${line.tier}` : '· on no line'}
                    {safety && <span className="badge badge-warn">safety system</span>}
                  </li>
                );
              })}
            </ul>
          )}
        </Field>
      </dl>
      <section aria-label="Proposed change" className="doc-proposal">
        <h4>Proposed change</h4>
        <div ref={proposalRef} data-testid="proposal">
          {proposal ? (
            <>
              <p className="muted">
                On{' '}
                {detail.targets.find((t) => t.controllerId === (f.proposedChange?.kind === 'diff' ? f.proposedChange.controllerId : ''))
                  ?.name ?? 'the target controller'}
                . Before shows {proposal.currentFrom}; after shows the proposed value.
              </p>
              {proposal.notInProfile.length > 0 && (
                <p className="bad-text">
                  Not in the controller's capture profile, so a capture cannot check them: {proposal.notInProfile.join(', ')}.
                </p>
              )}
              <DiffTable
                diff={proposal.diff}
                label="Proposed diff"
                height={Math.min(320, 34 + 30 * proposal.diff.rows.length + 2)}
                compact
              />
            </>
          ) : f.proposedChange?.kind === 'work-instruction' ? (
            <div>
              <p className="muted">A written work instruction (logic, firmware), not tag values:</p>
              <pre className="doc-instruction">{f.proposedChange.text}</pre>
            </div>
          ) : (
            <p className="muted">No proposed change given.</p>
          )}
        </div>
      </section>
      <dl className="doc-fields">
        <Field label="Requested window" testId="doc-window">
          {f.requestedWindow ? (
            <PlantPeriod start={f.requestedWindow.start} end={f.requestedWindow.end} zone={s.zone} />
          ) : (
            <span className="muted">not given</span>
          )}
        </Field>
        {slot && (
          <Field label="Booked slot">
            <PlantPeriod start={slot.start} end={slot.end} zone={s.zone} /> (by {slot.by.name})
          </Field>
        )}
        {evaluation && (
          <Field label="Notice">
            {evaluation.notice.reasons.join(' ')} Earliest start <PlantTime iso={evaluation.earliestStart} zone={s.zone} />.
          </Field>
        )}
        <Field label="Risk" testId="doc-risk">
          {evaluation?.risk ? (
            <>
              <strong>
                {evaluation.risk.score} ({evaluation.risk.band})
              </strong>{' '}
              <span className="muted">{evaluation.risk.reason}</span>
            </>
          ) : (
            <span className="muted">not assessed yet</span>
          )}
        </Field>
        <Field label="Impact assessment">
          {f.impactAssessment ? (
            <>
              <Text value={f.impactAssessment.summary} />{' '}
              <span className="muted">
                (impact {f.impactAssessment.impact}, probability {f.impactAssessment.probability}, safety impact{' '}
                {f.impactAssessment.safetyImpact})
              </span>
            </>
          ) : (
            <span className="muted">not given</span>
          )}
        </Field>
        {evaluation && (
          <Field
            label={detail.evaluationFrozen ? 'What the policy required at submit' : 'What the policy requires'}
            testId="doc-requirements"
          >
            <ul className="plain">
              {evaluation.summary.map((line, i) => (
                <li key={`s${i}`}>{line}</li>
              ))}
              {evaluation.approvals.map((a) => (
                <li key={a.group}>
                  {a.name}: {a.quorum} of {a.roles.map(roleLabel).join(', ')}
                  {a.accountable?.length ? `, including ${a.accountable.map(roleLabel).join(' and ')} (accountable)` : ''}
                </li>
              ))}
              {evaluation.staging.required && <li>Staging: {evaluation.staging.reasons.join(' ')}</li>}
              {evaluation.diffReview.required && <li>Diff review: {evaluation.diffReview.reasons.join(' ')}</li>}
              {evaluation.dualControl.required && <li>Dual control: {evaluation.dualControl.reasons.join(' ')}</li>}
            </ul>
          </Field>
        )}
        <Field label="Rollback plan" testId="doc-rollback">
          <Text value={f.rollbackPlan} />
        </Field>
        <Field label="Test plan">
          <Text value={f.testPlan} />
        </Field>
        <Field label="ITSM ticket" testId="doc-ticket">
          <Text value={f.itsmTicket} />
        </Field>
        <Field label="MOC reference">
          <Text value={f.mocReference} />
        </Field>
        {conditions.length > 0 && (
          <Field label="Conditions attached by approvers" testId="doc-conditions">
            <ul className="plain">
              {conditions.map((a) => (
                <li key={a.by.id}>
                  {a.by.name} ({roleLabel(a.role)}): {a.conditions.join('; ')}
                </li>
              ))}
            </ul>
          </Field>
        )}
        {detail.missingFields.length > 0 && (
          <Field label="Missing before submit">
            <span className="bad-text">{fieldList(detail.missingFields)}</span>
          </Field>
        )}
      </dl>
    </article>
  );
}
