/** The change request editor: files a new request or edits a draft, with the policy's requirements (class, risk, notice) evaluated live. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import type { OperationRequest, OperationResponse } from '../../../src-shared/common/api/contract.ts';
import type { ChangeState } from '../../../src-shared/common/workflow/change-state.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { Outcome } from '../../components/signed-form.tsx';
import { isoToPlantInput, plantInputToIso, plantZoneLabel } from '../../components/plant-time.tsx';
import { fieldList } from '../../../src-shared/common/workflow/change-request.ts';
import { ProposalPicker, typedValue, type ProposedRow } from './proposal-picker.tsx';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';

type Fields = OperationRequest<'changes.create'>['fields'];
type Evaluation = OperationResponse<'changes.evaluate'>;

/** The request editor: every field of the request forms of the change guide and the change management procedures, with the policy's requirements and their reasons shown live.
 *  With `existing`, it edits that draft (its requester saves; the state machine refuses anyone else). */
export function ChangeEditor({ onDone, existing }: { onDone: () => void; existing?: ChangeState }) {
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const toIso = (local: string): string | null => plantInputToIso(local, zone) || null;
  const s = useAppStore(
    useShallow((st) => ({
      people: st.people,
      controllers: st.controllers,
      plant: st.plant,
      evaluate: st.evaluateChange,
      create: st.createChange,
      edit: st.editChange,
      roles: st.roles,
    })),
  );
  const roleWords = (r: string) => roleName(s.roles, r);
  const f = existing?.fields;
  const diff = f?.proposedChange?.kind === 'diff' ? f.proposedChange : null;
  const [requesterId, setRequesterId] = useState(existing?.requester.id ?? '');
  const [title, setTitle] = useState(f?.title ?? '');
  const [description, setDescription] = useState(f?.description ?? '');
  const [justification, setJustification] = useState(f?.justification ?? '');
  const [cls, setCls] = useState<'standard' | 'normal' | 'emergency' | 'safety-critical' | ''>(f?.class ?? '');
  const [targets, setTargets] = useState<string[]>(f?.targetControllers ?? []);
  const [impact, setImpact] = useState(String(f?.impactAssessment?.impact ?? 2));
  const [probability, setProbability] = useState(String(f?.impactAssessment?.probability ?? 2));
  const [safetyImpact, setSafetyImpact] = useState<'none' | 'low' | 'medium' | 'high'>(f?.impactAssessment?.safetyImpact ?? 'none');
  const [impactSummary, setImpactSummary] = useState(f?.impactAssessment?.summary ?? '');
  const [rollbackPlan, setRollbackPlan] = useState(f?.rollbackPlan ?? '');
  const [testPlan, setTestPlan] = useState(f?.testPlan ?? '');
  const [proposedOn, setProposedOn] = useState(diff?.controllerId ?? '');
  const [rows, setRows] = useState<ProposedRow[]>(() =>
    (diff?.changes ?? []).map((c) => ({
      tag: c.tag,
      ...(c.from !== undefined ? { from: c.from } : {}),
      to: String(c.to),
      ...(c.type ? { type: c.type } : {}),
    })),
  );
  const [instruction, setInstruction] = useState(f?.proposedChange?.kind === 'work-instruction' ? f.proposedChange.text : '');
  const [start, setStart] = useState(isoToPlantInput(f?.requestedWindow?.start, zone));
  const [end, setEnd] = useState(isoToPlantInput(f?.requestedWindow?.end, zone));
  const [itsm, setItsm] = useState(f?.itsmTicket ?? '');
  const [moc, setMoc] = useState(f?.mocReference ?? '');
  const [evaluation, setEvaluation] = useState<Evaluation | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);

  const diffOn = proposedOn && targets.includes(proposedOn) ? proposedOn : (targets[0] ?? '');
  const filled = rows.filter((r) => r.to.trim() !== '');
  const fields: Fields = {
    title,
    description,
    justification,
    class: cls === '' ? null : cls,
    targetControllers: targets,
    impactAssessment: impactSummary
      ? { summary: impactSummary, impact: Number(impact), probability: Number(probability), safetyImpact }
      : null,
    rollbackPlan,
    testPlan,
    proposedChange:
      filled.length > 0 && diffOn
        ? {
            kind: 'diff',
            controllerId: diffOn,
            changes: filled.map((r) => ({
              tag: r.tag,
              ...(r.from !== undefined ? { from: r.from as never } : {}),
              to: typedValue(r.to, r.type),
              ...(r.type ? { type: r.type } : {}),
            })),
          }
        : instruction
          ? { kind: 'work-instruction', text: instruction }
          : null,
    requestedWindow: toIso(start) && toIso(end) ? { start: toIso(start)!, end: toIso(end)! } : null,
    itsmTicket: itsm,
    mocReference: moc,
  };
  const key = JSON.stringify(fields);
  const { evaluate } = s;
  useEffect(() => {
    const timer = setTimeout(() => void evaluate(JSON.parse(key) as Fields).then(setEvaluation), 250);
    return () => clearTimeout(timer);
  }, [key, evaluate]);

  const lineOf = (id: string) => s.plant?.controllerLines[id];
  const tierOf = (lineId: string | undefined) => s.plant?.lines.find((l) => l.id === lineId)?.tier;
  const ev = evaluation?.evaluation ?? null;

  return (
    <section className="panel change-editor" aria-label="Change request editor">
      <div className="view-head">
        <h3>{existing ? `Edit draft: ${existing.fields.title || '(untitled)'}` : 'New change request'}</h3>
        <button type="button" onClick={onDone}>
          Close
        </button>
      </div>
      <div className="editor-grid">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (existing)
              void s.edit({ id: existing.id, employeeId: requesterId, fields }).then((err) => {
                setError(err);
                if (!err) onDone();
              });
            else
              void s.create({ requesterId, fields }).then((r) => {
                if ('error' in r) setError(r.error);
                else onDone();
              });
          }}
        >
          <label>
            Requester
            <select required value={requesterId} disabled={existing !== undefined} onChange={(e) => setRequesterId(e.target.value)}>
              <option value="">choose…</option>
              {s.people
                .filter((p) => !p.revoked)
                .map((p) => (
                  <option key={p.fingerprint} value={p.employeeId}>
                    {p.name} ({p.employeeId})
                  </option>
                ))}
            </select>
          </label>
          <label>
            Class
            <select value={cls} onChange={(e) => setCls(e.target.value as typeof cls)}>
              <option value="">choose…</option>
              <option value="standard">standard</option>
              <option value="normal">normal</option>
              <option value="emergency">emergency</option>
              <option value="safety-critical">safety-critical</option>
            </select>
          </label>
          <label className="wide">
            Title <input value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          <label className="wide">
            Description <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
          <label className="wide">
            Justification <textarea rows={2} value={justification} onChange={(e) => setJustification(e.target.value)} />
          </label>
          <fieldset className="roles wide">
            <legend>Target controllers</legend>
            {s.controllers.map((c) => (
              <label key={c.id} className="inline">
                <input
                  type="checkbox"
                  checked={targets.includes(c.id)}
                  onChange={(e) => setTargets(e.target.checked ? [...targets, c.id] : targets.filter((x) => x !== c.id))}
                />
                {c.name} {lineOf(c.id) ? `(line ${lineOf(c.id)}, tier ${tierOf(lineOf(c.id))})` : '(no line)'}
              </label>
            ))}
          </fieldset>
          <label className="wide">
            Impact assessment <textarea rows={2} value={impactSummary} onChange={(e) => setImpactSummary(e.target.value)} />
          </label>
          <label>
            Impact (1-5) <input inputMode="numeric" value={impact} onChange={(e) => setImpact(e.target.value)} />
          </label>
          <label>
            Probability (1-5) <input inputMode="numeric" value={probability} onChange={(e) => setProbability(e.target.value)} />
          </label>
          <label>
            Safety impact
            <select value={safetyImpact} onChange={(e) => setSafetyImpact(e.target.value as typeof safetyImpact)}>
              <option value="none">none</option>
              <option value="low">low</option>
              <option value="medium">medium</option>
              <option value="high">high</option>
            </select>
          </label>
          <label className="wide">
            Rollback plan <textarea rows={2} value={rollbackPlan} onChange={(e) => setRollbackPlan(e.target.value)} />
          </label>
          <label className="wide">
            Test plan <textarea rows={2} value={testPlan} onChange={(e) => setTestPlan(e.target.value)} />
          </label>
          <ProposalPicker
            targets={targets.map((id) => ({ id, name: s.controllers.find((c) => c.id === id)?.name ?? id }))}
            controllerId={diffOn}
            setControllerId={setProposedOn}
            rows={rows}
            setRows={setRows}
          />
          {rows.length > filled.length && (
            <p className="muted wide">
              {rows.length - filled.length} picked tag{rows.length - filled.length === 1 ? ' has' : 's have'} no new value yet and{' '}
              {rows.length - filled.length === 1 ? 'is' : 'are'} left out.
            </p>
          )}
          <label className="wide">
            …or work instruction (logic, firmware){' '}
            <textarea rows={2} value={instruction} onChange={(e) => setInstruction(e.target.value)} />
          </label>
          <label>
            Window start ({plantZoneLabel(zone)}){' '}
            <input type="datetime-local" aria-label="Window start" value={start} onChange={(e) => setStart(e.target.value)} />
          </label>
          <label>
            Window end ({plantZoneLabel(zone)}){' '}
            <input type="datetime-local" aria-label="Window end" value={end} onChange={(e) => setEnd(e.target.value)} />
          </label>
          <label>
            ITSM ticket <input value={itsm} onChange={(e) => setItsm(e.target.value)} />
          </label>
          <label>
            MOC reference <input value={moc} onChange={(e) => setMoc(e.target.value)} />
          </label>
          <div className="actions">
            <button type="submit" className="primary" disabled={!requesterId}>
              {existing ? 'Save changes' : 'Save draft'}
            </button>
          </div>
          <Outcome error={error} done="" />
        </form>
        <aside className="policy-feedback" aria-label="What the policy requires">
          <h3>What the policy requires</h3>
          {!evaluation || evaluation.classMissing ? (
            <p className="muted">Choose a class to see the approvals, notice and staging this change needs.</p>
          ) : null}
          {ev && (
            <>
              <p data-testid="risk">Risk: {ev.risk ? `${ev.risk.score} (${ev.risk.band})` : 'not assessed yet'}</p>
              <ul data-testid="requirements">
                {ev.summary.map((line, i) => (
                  <li key={`s${i}`}>{line}</li>
                ))}
                {ev.approvals.map((a) => (
                  <li key={a.group}>
                    <strong>{a.name}</strong>: {a.quorum} of {a.roles.map(roleWords).join(', ')}
                    {a.accountable?.length ? `, including ${a.accountable.map(roleWords).join(' and ')} (accountable)` : ''}.{' '}
                    <span className="muted">{a.reasons.join(' ')}</span>
                  </li>
                ))}
                <li>Notice: {ev.notice.reasons.join(' ')}</li>
                {ev.staging.required && <li>Staging: {ev.staging.reasons.join(' ')}</li>}
                {ev.diffReview.required && <li>Diff review: {ev.diffReview.reasons.join(' ')}</li>}
              </ul>
              {ev.blockers.length > 0 && (
                <ul className="problems">
                  {ev.blockers.map((b, i) => (
                    <li key={i}>{b}</li>
                  ))}
                </ul>
              )}
            </>
          )}
          {evaluation && evaluation.missingFields.length > 0 && (
            <p className="bad-text">Missing before submit: {fieldList(evaluation.missingFields)}</p>
          )}
        </aside>
      </div>
    </section>
  );
}
