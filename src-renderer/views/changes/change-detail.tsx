/** The change detail: one change as the document being signed, its approvals, execution panels, the signing form and the timeline. */
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';
import { useCallback, useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { PlantTime } from '../../components/plant-time.tsx';
import { ChangeDocument } from './change-document.tsx';
import { changeNumber } from '../../../src-shared/common/workflow/change-state.ts';

type Detail = OperationResponse<'changes.get'>;
import { CheckpointPanel } from './checkpoint-panel.tsx';
import { ChecklistRunner } from './checklist-runner.tsx';
import { ExecutionSnapshots } from './execution-snapshots.tsx';
import { ExplainRows } from './explain-rows.tsx';
import { RestorePanel } from './restore-panel.tsx';
import { WindowTimerBanner } from './window-timer.tsx';
import { ChangeCaptures } from './change-captures.tsx';
import { ExecutionClockPanel } from './execution-clock-panel.tsx';
import { DemoDownload } from './demo-download.tsx';
import { SignDecisionForm } from './sign-decision-form.tsx';
import { ExportPackButton } from './export-pack-button.tsx';
import { SyncConflicts } from './sync-conflicts.tsx';
import { ReviewActions } from './review-actions.tsx';
import { ManualRollbackPanel } from './manual-rollback-panel.tsx';
import { Icon, STATUS_ICONS } from '../../components/icons.tsx';
import { ClockFlags } from './clock-flags.tsx';

/** How an outcome reads: done, a warning (rolled back), or failed. */
function outcomeTone(outcome: string): 'ok' | 'warn' | 'bad' {
  return outcome === 'completed' || outcome === 'rolled back and restored' ? 'ok' : outcome === 'failed' ? 'bad' : 'warn';
}

/**
 * The people on a change who may not give a signature (segregation of duties, employee id -> why): who filed it and
 * who carries it out (restore, new baseline); for the decisions the change rules keep from anyone on the change
 * (checkpoints, the window-end decision, countersigning) its witness too; for the reviews (safety sign-off,
 * post-implementation review) also its break-glass approver. The signer lists leave them out; the service decides.
 */
function onTheChange(state: Detail['state'], also: 'none' | 'witness' | 'reviews' = 'none'): ReadonlyMap<string, string> {
  const m = new Map<string, string>([[state.requester.id, 'filed this change']]);
  if (!('execution' in state)) return m;
  m.set(state.execution.executor.id, 'carries out this change');
  const witness = state.execution.witness;
  if (also !== 'none' && witness && !m.has(witness.id)) m.set(witness.id, 'witnesses this change');
  const approver = state.execution.breakGlass?.approver.id;
  if (also === 'reviews' && approver && !m.has(approver)) m.set(approver, 'approved it under break-glass');
  return m;
}

/** One change: the request as the document being signed, the approvals, the execution, the signing panel, the timeline. */
export function ChangeDetail({ onEdit }: { onEdit: () => void }) {
  const detail = useAppStore((st) => st.changeDetail);
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const demo = useAppStore((st) => st.info?.demo === true);
  const roles = useAppStore((st) => st.roles);
  const roleWords = (r: string) => roleName(roles, r);
  const [shownFor, setShownFor] = useState<string | null>(null);
  const id = detail?.state.id ?? null;
  const onProposalShown = useCallback(() => setShownFor(id), [id]);
  if (!detail) return <p className="muted">Select a change, or file a new one.</p>;
  const { state, progress, timeline } = detail;
  return (
    <section className="detail-pane" aria-label={`Change ${state.fields.title}`}>
      <h2>
        <span className="change-number" data-testid="detail-number">
          {changeNumber(state)}
        </span>{' '}
        {state.fields.title || '(untitled)'}
      </h2>
      <p className="muted">
        <span data-testid="change-status" className="badge">
          {detail.statusLabel}
        </span>
        {detail.outcome && (
          <>
            {' '}
            <span data-testid="change-outcome" className={`badge badge-${outcomeTone(detail.outcome)}`}>
              <Icon of={STATUS_ICONS[outcomeTone(detail.outcome)]} />
              {detail.outcome}
            </span>
          </>
        )}{' '}
        · {state.fields.class ?? 'no class'} · requested by {state.requester.name}, <PlantTime iso={state.createdAt} zone={zone} />
      </p>
      <ExportPackButton changeId={state.id} />
      <SyncConflicts changeId={state.id} version={`${detail.statusLabel}:${timeline.length}`} zone={zone} />
      <ClockFlags changeId={state.id} version={`${detail.statusLabel}:${timeline.length}`} />
      {detail.allowed.includes('edit') && (
        <p>
          <button type="button" data-write onClick={onEdit}>
            Edit request…
          </button>{' '}
          <span className="muted">(the requester edits a draft or a deferred request before submitting it)</span>
        </p>
      )}
      {detail.approvalTimeout.status === 'waiting' && (
        <p className="muted" data-testid="approval-timeout">
          Approvals due by <PlantTime iso={detail.approvalTimeout.dueAt} zone={zone} />; then they escalate to{' '}
          {detail.approvalTimeout.escalateTo.map(roleWords).join(', ')}.
        </p>
      )}
      {detail.approvalTimeout.status === 'escalated' && (
        <p className="bad-text" data-testid="approval-timeout">
          Approvals overdue by {detail.approvalTimeout.overdueMinutes} min: escalated to{' '}
          {detail.approvalTimeout.escalateTo.map(roleWords).join(', ')}, who may now approve in place of a missing approver.
        </p>
      )}
      {detail.retrospective.status === 'due' && (
        <p className="bad-text" data-testid="retrospective">
          Started under break-glass: retrospective CAB review due by <PlantTime iso={detail.retrospective.dueAt} zone={zone} />.
        </p>
      )}
      {detail.retrospective.status === 'overdue' && (
        <p className="bad-text" data-testid="retrospective">
          <strong>Retrospective CAB review OVERDUE</strong> since <PlantTime iso={detail.retrospective.dueAt} zone={zone} />.
        </p>
      )}
      {detail.retrospective.status === 'done' && (
        <p className="ok-text" data-testid="retrospective">
          Retrospective review done <PlantTime iso={detail.retrospective.completedAt} zone={zone} />
          {detail.retrospective.late ? ' (late)' : ''}.
        </p>
      )}
      <ChangeDocument key={`doc-${state.id}`} detail={detail} onProposalShown={onProposalShown} />
      {progress && (
        <section className="panel" aria-label="Approvals">
          <h3>Approvals</h3>
          <ul>
            {progress.requirements.map((r) => (
              <li key={r.requirement.group} data-testid="approval-requirement">
                {r.requirement.name}: {r.counted.length} of {r.requirement.quorum}
                {r.counted.length > 0
                  ? ` (${r.counted.map((c) => `${c.by.name} as ${roleWords(c.role)}${c.inPlaceOf ? ', escalated' : ''}`).join(', ')})`
                  : ''}
                {r.satisfied ? ' ✓' : ` — ${r.missing}`}
              </li>
            ))}
          </ul>
          {detail.outstanding.length > 0 && <p className="muted">Outstanding: {detail.outstanding.join('; ')}</p>}
        </section>
      )}
      <WindowTimerBanner state={state} />
      {(state.status === 'in-execution' || state.status === 'rolled-back' || state.status === 'closed') && (
        <ExecutionClockPanel
          key={`clock-${state.id}`}
          state={state}
          checkpoints={detail.checkpoints}
          exclude={onTheChange(state, 'witness')}
        />
      )}
      {state.status === 'in-execution' && (
        <ChangeCaptures
          key={`captures-${state.id}`}
          changeId={state.id}
          targets={detail.targets}
          checkpoints={detail.checkpoints}
          recorded={state.execution.snapshots ?? []}
        />
      )}
      {(state.status === 'in-execution' || state.status === 'rolled-back' || state.status === 'closed') && (
        <ExecutionSnapshots
          key={`snapshots-${state.id}`}
          changeId={state.id}
          targets={detail.targets}
          records={state.execution.snapshots ?? []}
          exclude={onTheChange(state)}
          executing={state.status === 'in-execution'}
          // A change that owes a post-implementation review gets its new baselines from that review (the Reviews panel).
          completed={
            state.status === 'closed' &&
            state.closure.outcome === 'completed' &&
            state.review.evaluation.postImplementationReview === undefined
          }
        />
      )}
      {(state.status === 'in-execution' || state.status === 'rolled-back' || state.status === 'closed') && (
        <ExplainRows
          key={`explain-${state.id}`}
          changeId={state.id}
          execution={state.execution}
          targets={state.fields.targetControllers}
          names={new Map(detail.targets.map((t) => [t.controllerId, t.name]))}
          executing={state.status === 'in-execution'}
          exclude={onTheChange(state, 'witness')}
        />
      )}
      {demo && state.status === 'in-execution' && state.fields.proposedChange?.kind === 'diff' && (
        <DemoDownload changeId={state.id} proposed={state.fields.proposedChange.changes} />
      )}
      <ReviewActions key={`reviews-${state.id}`} detail={detail} exclude={onTheChange(state, 'reviews')} />
      {state.status === 'rolled-back' && (
        <RestorePanel key={`restore-${state.id}`} changeId={state.id} targets={detail.targets} exclude={onTheChange(state)} />
      )}
      {(state.status === 'rolled-back' || state.status === 'closed') && (
        <ManualRollbackPanel key={`manual-${state.id}`} state={state} targets={detail.targets} exclude={onTheChange(state, 'witness')} />
      )}
      {detail.restores.length > 0 && (
        <section className="panel" aria-label="Restore record">
          <h3>Restore record</h3>
          <ul className="plain">
            {detail.restores.map((r) => (
              <li key={r.decisionId} data-testid="restore-record">
                <strong>{detail.targets.find((t) => t.controllerId === r.controllerId)?.name ?? r.controllerId}</strong>: {r.writes}{' '}
                value(s) authorized by {r.authorizedBy}, <PlantTime iso={r.authorizedAt} zone={zone} /> ({r.reason}).
                {r.written ? (
                  ` ${r.written.verified} written and read back${r.written.failed ? `, ${r.written.failed} not` : ''}.${r.inFlight ? ` ${r.inFlight} was being written when the restore failed (outcome unknown).` : ''}`
                ) : r.interrupted ? (
                  <span className="bad-text" data-testid="restore-interrupted">
                    {' '}
                    Cut short: Baseline stopped while writing. Written and read back:{' '}
                    {r.steps
                      .filter((x) => x.status === 'written-verified')
                      .map((x) => x.tag)
                      .join(', ') || 'none'}
                    {r.inFlight ? `; ${r.inFlight} was being written (outcome unknown)` : ''}. Preview the restore again to read the
                    controller and continue with a new decision.
                  </span>
                ) : (
                  ' Not written yet.'
                )}
                {r.verified
                  ? r.verified.matchesBefore
                    ? ' The controller matches the before-snapshot.'
                    : ` ${r.verified.remaining} value(s) still differ from the before-snapshot.`
                  : ''}
              </li>
            ))}
          </ul>
        </section>
      )}
      {detail.checkpointsError && (
        <p className="bad-text" role="alert">
          The checkpoints cannot be shown: {detail.checkpointsError}
        </p>
      )}
      {(state.status === 'in-execution' || state.status === 'rolled-back' || state.status === 'closed') && (
        <ChecklistRunner key={`checklists-${state.id}`} changeId={state.id} version={`${detail.statusLabel}:${timeline.length}`} />
      )}
      {detail.checkpoints && (
        <CheckpointPanel
          changeId={state.id}
          view={detail.checkpoints}
          executing={state.status === 'in-execution'}
          exclude={onTheChange(state, 'witness')}
        />
      )}
      <SignDecisionForm key={`sign-${state.id}`} detail={detail} proposalShown={shownFor === state.id} />
      <section className="panel" aria-label="Timeline">
        <h3>Timeline</h3>
        <ol className="timeline">
          {timeline.map((t) => (
            <li key={t.seq}>
              <PlantTime iso={t.at} zone={zone} />: <strong>{t.by}</strong> {t.summary}
              {t.signed ? ' (e-signed)' : ''}
            </li>
          ))}
        </ol>
      </section>
    </section>
  );
}
