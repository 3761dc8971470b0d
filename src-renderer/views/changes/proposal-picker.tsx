import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import type { CurrentValues } from '../../../src-shared/common/api/tag-values-contract.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';

/** One proposed tag change as the editor keeps it: the new value as typed. */
export interface ProposedRow {
  tag: string;
  from?: unknown;
  to: string;
  type?: string;
}

/** A typed value as the tag's type reads it: booleans for BOOL tags, text for strings, else a number when it is one. */
export function typedValue(text: string, type: string | undefined): string | number | boolean {
  const v = text.trim();
  if (type && /bool/i.test(type)) return v === 'true' || v === '1' || v.toLowerCase() === 'on';
  if (type && /string|char/i.test(type)) return text;
  if (v === 'true' || v === 'false') return v === 'true';
  return v !== '' && !Number.isNaN(Number(v)) ? Number(v) : text;
}

const shown = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'string' ? `"${v}"` : String(v));

/**
 * The proposed change as tag values: tags picked from the controller's capture profile, each with its current value
 * (from the latest signed snapshot) filled in as "from", and the new value typed beside it.
 */
export function ProposalPicker(props: {
  targets: { id: string; name: string }[];
  controllerId: string;
  setControllerId(id: string): void;
  rows: ProposedRow[];
  setRows(rows: ProposedRow[]): void;
}) {
  const currentValues = useAppStore((s) => s.currentValues);
  const [values, setValues] = useState<CurrentValues | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const [filter, setFilter] = useState('');
  const controllerId = props.controllerId || props.targets[0]?.id || '';
  const picked = new Set(props.rows.map((r) => r.tag));

  async function open() {
    setError(null);
    const r = await currentValues(controllerId);
    if ('error' in r) setError(r.error);
    else setValues(r.value);
  }
  function toggle(t: CurrentValues['tags'][number], on: boolean) {
    if (on)
      props.setRows([
        ...props.rows,
        { tag: t.tag, ...(t.value !== null ? { from: t.value } : {}), to: t.value === null ? '' : String(t.value), type: t.type },
      ]);
    else props.setRows(props.rows.filter((r) => r.tag !== t.tag));
  }
  const needle = filter.trim().toLowerCase();
  const choices =
    values?.controllerId === controllerId
      ? values.tags.filter((t) => needle === '' || t.tag.toLowerCase().includes(needle) || t.description.toLowerCase().includes(needle))
      : [];

  return (
    <fieldset className="wide proposal-picker" aria-label="Proposed tag values">
      <legend>Proposed change: tag values</legend>
      {props.targets.length === 0 ? (
        <p className="muted">Choose the target controllers first; the tags come from a target's capture profile.</p>
      ) : (
        <>
          <label className="inline">
            on
            <select
              aria-label="Controller of the proposed values"
              value={controllerId}
              onChange={(e) => {
                props.setControllerId(e.target.value);
                props.setRows([]);
                setValues(null);
              }}
            >
              {props.targets.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>{' '}
          <button type="button" onClick={() => void open()}>
            Pick tags from the profile…
          </button>
          {error && (
            <div className="bad-text" role="alert">
              <p>{error.message}</p>
              <p>What to do: {error.hint}</p>
            </div>
          )}
          {values?.controllerId === controllerId && (
            <div className="tag-choices" data-testid="tag-choices">
              <p className="muted">
                {values.source
                  ? `Current values from the latest signed snapshot (captured by ${values.source.signer}).`
                  : 'No signed snapshot of this controller yet: current values are unknown.'}
              </p>
              <input
                type="search"
                aria-label="Find tags"
                placeholder="Find tags"
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
              />
              {choices.slice(0, 500).map((t) => (
                <label key={t.tag} className="inline" data-tag={t.tag}>
                  <input type="checkbox" checked={picked.has(t.tag)} onChange={(e) => toggle(t, e.target.checked)} />
                  {t.tag}{' '}
                  <span className="muted">
                    {t.type} · now {shown(t.value)}
                    {t.writable ? '' : ' · read-only'}
                  </span>
                  {t.safety && <span className="badge badge-warn">safety</span>}
                </label>
              ))}
              {choices.length > 500 && <p className="muted">{choices.length - 500} more; narrow the search.</p>}
              <button type="button" onClick={() => setValues(null)}>
                Done picking
              </button>
            </div>
          )}
          {props.rows.length > 0 && (
            <table className="events" data-testid="proposed-rows">
              <thead>
                <tr>
                  <th>Tag</th>
                  <th>Type</th>
                  <th>Now</th>
                  <th>New value</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {props.rows.map((r, i) => (
                  <tr key={r.tag} data-tag={r.tag}>
                    <td>{r.tag}</td>
                    <td>{r.type ?? ''}</td>
                    <td className="num">{shown(r.from)}</td>
                    <td>
                      <input
                        aria-label={`New value of ${r.tag}`}
                        value={r.to}
                        onChange={(e) => props.setRows(props.rows.map((x, j) => (j === i ? { ...x, to: e.target.value } : x)))}
                      />
                    </td>
                    <td>
                      <button
                        type="button"
                        className="link"
                        aria-label={`Remove ${r.tag}`}
                        onClick={() => props.setRows(props.rows.filter((_, j) => j !== i))}
                      >
                        remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </fieldset>
  );
}
