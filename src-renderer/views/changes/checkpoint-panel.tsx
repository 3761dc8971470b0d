/** The change guide's go/no-go checkpoints of a change in execution: each one's signed decisions, and the form for the one due now. */
import { useState } from 'react';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { ActionForm, fieldLabel } from './action-form.tsx';
import type { CheckpointView } from '../../../src-shared/common/api/contract.ts';
import type { Checkpoint } from '../../../src-shared/common/workflow/checkpoints.ts';
import { PlantTime } from '../../components/plant-time.tsx';
import { Icon, STATUS_ICONS } from '../../components/icons.tsx';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';

/** The checklist and decision of the checkpoint due now, signed by a shift supervisor at the laptop. */
function CheckpointForm({
  changeId,
  checkpoint,
  signerRoles,
  exclude,
}: {
  changeId: string;
  checkpoint: Checkpoint;
  signerRoles: string[];
  exclude: ReadonlyMap<string, string>;
}) {
  const [confirmed, setConfirmed] = useState<string[]>([]);
  const [decision, setDecision] = useState('');
  const [comment, setComment] = useState('');
  const label = fieldLabel.bind(null, 'checkpoint');
  return (
    <ActionForm
      type="checkpoint"
      changeId={changeId}
      name={`Checkpoint: ${checkpoint.name}`}
      heading={null}
      lead={
        <>
          <fieldset className="checklist" aria-label={label('confirmed')}>
            <legend>
              {checkpoint.name}: {checkpoint.when}
            </legend>
            {checkpoint.items.map((item) => (
              <label key={item} className="inline">
                <input
                  type="checkbox"
                  checked={confirmed.includes(item)}
                  onChange={(e) => setConfirmed(e.target.checked ? [...confirmed, item] : confirmed.filter((x) => x !== item))}
                />{' '}
                {item}
              </label>
            ))}
          </fieldset>
          <fieldset className="decisions">
            <legend>{label('decision')}</legend>
            {checkpoint.decisions.map((d) => (
              <label key={d.id} className="inline">
                <input type="radio" name={`decision-${checkpoint.id}`} checked={decision === d.id} onChange={() => setDecision(d.id)} />{' '}
                {d.label}
              </label>
            ))}
          </fieldset>
          <label className="wide">
            {label('comment')}{' '}
            <textarea
              rows={2}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="required for NO-GO, ROLLBACK and EXTENDED MONITORING"
            />
          </label>
        </>
      }
      signerLabel="Shift supervisor"
      rule={{ roles: signerRoles, what: 'sign a go/no-go checkpoint', exclude }}
      fields={() => ({ checkpoint: checkpoint.id, decision, confirmed, ...(comment.trim() ? { comment } : {}) })}
      ready={decision !== ''}
      button="Sign checkpoint decision"
      done={() => `${checkpoint.decisions.find((d) => d.id === decision)?.label ?? decision} signed at ${checkpoint.name}.`}
      onAccepted={() => {
        setConfirmed([]);
        setDecision('');
        setComment('');
      }}
    />
  );
}

/** How a checkpoint decision reads: go (done), monitor (warning), or stop. */
function effectTone(effect: string): 'ok' | 'warn' | 'bad' {
  return effect === 'proceed' || effect === 'close' ? 'ok' : effect === 'monitor' ? 'warn' : 'bad';
}

/** The go/no-go checkpoints of an executed change: each one's signed decisions, and the form for the one due now. */
export function CheckpointPanel({
  changeId,
  view,
  executing,
  exclude,
}: {
  changeId: string;
  view: CheckpointView;
  executing: boolean;
  exclude: ReadonlyMap<string, string>;
}) {
  const zone = useAppStore(selectPlantZone);
  const roles = useAppStore((st) => st.roles);
  const roleWords = (r: string) => roleName(roles, r);
  return (
    <section className="panel" aria-label="Checkpoints">
      <h3>Go/no-go checkpoints</h3>
      <ol className="checkpoints">
        {view.checkpoints.map((c) => {
          const signed = view.records.filter((r) => r.checkpoint === c.id);
          return (
            <li key={c.id} data-checkpoint={c.id}>
              <strong>{c.name}</strong> <span className="muted">({c.when})</span>
              {signed.map((r, i) => (
                <div key={i} data-testid="checkpoint-decision">
                  <span className={`badge badge-${effectTone(r.effect)}`}>
                    <Icon of={STATUS_ICONS[effectTone(r.effect)]} />
                    {r.label}
                  </span>{' '}
                  {r.by.name} ({roleWords(r.role)}), <PlantTime iso={r.at} zone={zone} /> · {r.items.filter((x) => x.confirmed).length} of{' '}
                  {r.items.length} items confirmed{r.comment ? ` · ${r.comment}` : ''}
                </div>
              ))}
              {executing && view.next === c.id && (
                <CheckpointForm
                  key={`${c.id}-${signed.length}`}
                  changeId={changeId}
                  checkpoint={c}
                  signerRoles={view.signerRoles}
                  exclude={exclude}
                />
              )}
            </li>
          );
        })}
      </ol>
      {executing && view.closable && <p className="ok-text">All checkpoints passed: the change can be closed.</p>}
    </section>
  );
}
