/** Explaining unforeseen rows of an after-diff before close: the engineer explains and signs, a shift supervisor countersigns. */
import { useState } from 'react';
import { ActionForm, useCountersigners } from './action-form.tsx';
import { unexplainedRows, type Execution } from '../../../src-shared/common/workflow/change-state.ts';

/**
 * Rows of the after-diff that the proposal did not foresee (unexpected or missing) block CLOSE: the engineer who did
 * the work explains each one and signs, a shift supervisor not on the change countersigns with their own password.
 * Explanations already given are listed with both names.
 */
export function ExplainRows({
  changeId,
  execution,
  targets,
  names,
  executing,
  exclude,
}: {
  changeId: string;
  execution: Execution;
  targets: string[];
  names: ReadonlyMap<string, string>;
  executing: boolean;
  exclude: ReadonlyMap<string, string>;
}) {
  const countersigners = useCountersigners(exclude);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const { rows, unlisted } = unexplainedRows(execution, targets);
  const given = execution.explanations ?? [];
  if (rows.length === 0 && unlisted === 0 && given.length === 0) return null;
  const key = (r: { controllerId: string; tag: string }) => `${r.controllerId}\u0000${r.tag}`;
  const written = rows.filter((r) => (texts[key(r)] ?? '').trim() !== '');
  return (
    <section className="panel" aria-label="Unexpected differences">
      <h3>Differences the proposal did not foresee</h3>
      {given.length > 0 && (
        <ul aria-label="Explained rows">
          {given.map((g) => (
            <li key={`${g.snapshotSha256}-${g.tag}`}>
              <strong>{g.status}</strong> {names.get(g.controllerId) ?? g.controllerId} {g.tag}: {g.text}{' '}
              <span className="muted">
                (explained by {g.by.name}, countersigned by {g.countersignedBy.name})
              </span>
            </li>
          ))}
        </ul>
      )}
      {rows.length > 0 && (
        <p className="wide">CLOSE is refused until each row below is explained and countersigned, or the change is rolled back.</p>
      )}
      {unlisted > 0 && <p className="error-text">{unlisted} more row(s) differ than the record keeps: roll the change back.</p>}
      {executing && rows.length > 0 && (
        <ActionForm
          type="explain"
          changeId={changeId}
          name="Explain the differences"
          heading={null}
          lead={rows.map((r) => (
            <label key={key(r)} className="wide">
              <span>
                <strong>{r.status}</strong> {names.get(r.controllerId) ?? r.controllerId} {r.tag}: {r.reason}
              </span>
              <textarea
                rows={2}
                aria-label={`Explanation of ${r.tag}`}
                value={texts[key(r)] ?? ''}
                onChange={(e) => setTexts({ ...texts, [key(r)]: e.target.value })}
              />
            </label>
          ))}
          signerLabel="Explained by (engineer)"
          cosigners={{ countersign: { eligible: countersigners } }}
          fields={() => ({ explanations: written.map((r) => ({ controllerId: r.controllerId, tag: r.tag, text: texts[key(r)]! })) })}
          button="Sign the explanations"
          done={() => `${written.length} row${written.length === 1 ? '' : 's'} explained and countersigned.`}
          onAccepted={() => setTexts({})}
        />
      )}
    </section>
  );
}
