/**
 * The checklists of a change in execution (issue #15): the plant's templates that apply to it (rollback plan
 * verification before GO; functional, SIS and performance checks before CLOSE), each item ticked by a named person
 * with an optional note and photos or files. Who ticked and when (plant time) and every attachment are listed; the
 * supervisor's checkpoint signature covers all of it. A checklist whose checkpoint was decided takes no more ticks.
 */
import { useEffect, useState } from 'react';
import { errorOf, selectPlantZone, useAppStore } from '../../state/app-store.ts';
import type { ChecklistItemView, ChecklistRunView } from '../../../src-shared/common/api/contract.ts';
import { ATTACHMENT_MAX_BYTES, ATTACHMENTS_PER_TICK } from '../../../src-shared/common/workflow/checklists.ts';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { PlantTime } from '../../components/plant-time.tsx';
import { Outcome } from '../../components/signed-form.tsx';

type Template = ChecklistRunView['templates'][number];

/** A file's bytes as base64 (in slices: a 10 MiB photo would overflow one call's argument list). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** "12.3 KiB". */
function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Why a picked file cannot be attached (null: it can). */
function fileProblem(files: readonly File[]): ErrorData | null {
  if (files.length > ATTACHMENTS_PER_TICK)
    return {
      code: 'attachment-too-many',
      message: `${files.length} files picked; one tick takes at most ${ATTACHMENTS_PER_TICK}.`,
      hint: 'Attach the rest with another tick of the item.',
    };
  const big = files.find((f) => f.size > ATTACHMENT_MAX_BYTES);
  if (big)
    return {
      code: 'attachment-too-large',
      message: `${big.name} is ${size(big.size)}; a checklist attachment is at most ${ATTACHMENT_MAX_BYTES / 1024 / 1024} MiB.`,
      hint: "Attach a smaller photo (or a reduced copy) and keep the full file with the plant's records.",
    };
  return null;
}

/** One item: its box, who ticked it and when, its note, its attachments, and the form for a note and files. */
function ItemRow({
  changeId,
  template,
  item,
  tickedBy,
  open,
  onDone,
}: {
  changeId: string;
  template: Template;
  item: ChecklistItemView;
  tickedBy: string;
  open: boolean;
  onDone(): void;
}) {
  const api = useAppStore((s) => s.api);
  const zone = useAppStore(selectPlantZone);
  const [editing, setEditing] = useState(false);
  const [note, setNote] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<ErrorData | null>(null);
  const [busy, setBusy] = useState(false);
  const ticked = item.tick?.ticked === true;
  async function send(tick: boolean, withDetails: boolean) {
    if (!api) return;
    const problem = withDetails ? fileProblem(files) : null;
    if (problem) return setError(problem);
    setBusy(true);
    try {
      const attachments = withDetails
        ? await Promise.all(files.map(async (f) => ({ name: f.name, mediaType: f.type, dataBase64: await base64Of(f) })))
        : [];
      await api.invoke('checklists.tick', {
        changeId,
        employeeId: tickedBy,
        template: template.id,
        item: item.text,
        ticked: tick,
        ...(withDetails && note.trim() ? { note } : {}),
        ...(attachments.length ? { attachments } : {}),
      });
      setError(null);
      setEditing(false);
      setNote('');
      setFiles([]);
      onDone();
    } catch (x) {
      setError(errorOf(x));
    } finally {
      setBusy(false);
    }
  }
  async function download(sha256: string) {
    if (!api) return;
    try {
      const a = await api.invoke('checklists.attachment', { changeId, sha256 });
      const link = document.createElement('a');
      link.href = `data:${a.mediaType || 'application/octet-stream'};base64,${a.dataBase64}`;
      link.download = a.name;
      link.click();
    } catch (x) {
      setError(errorOf(x));
    }
  }
  return (
    <li className={ticked ? 'done' : ''} data-testid="checklist-item" data-item={item.text}>
      <label className="inline tick-box">
        <input
          type="checkbox"
          checked={ticked}
          disabled={!open || !tickedBy || busy}
          aria-label={item.text}
          onChange={(e) => void send(e.target.checked, false)}
        />{' '}
        {item.text}
      </label>
      <div className="tick-facts">
        {item.tick && (
          <span className="muted" data-testid="tick-by">
            {item.tick.ticked ? 'Ticked' : 'Cleared'} by {item.tick.by.name} ({item.tick.by.id}),{' '}
            <PlantTime iso={item.tick.at} zone={zone} />
          </span>
        )}
        {item.tick?.note && (
          <span className="tick-note" data-testid="tick-note">
            “{item.tick.note}”
          </span>
        )}
        {item.attachments.length > 0 && (
          <ul className="plain attachments" aria-label={`Attachments of ${item.text}`}>
            {item.attachments.map((a) => (
              <li key={`${a.sha256}-${a.at}`} data-testid="attachment">
                <button type="button" className="link" onClick={() => void download(a.sha256)}>
                  {a.name}
                </button>{' '}
                <span className="muted">
                  ({size(a.size)}) attached by {a.by}, <PlantTime iso={a.at} zone={zone} /> ·{' '}
                  <span className="mono">{a.sha256.slice(0, 12)}…</span>
                </span>
                {!a.intact && <strong className="bad-text"> altered since it was attached: not evidence</strong>}
              </li>
            ))}
          </ul>
        )}
        {open && !editing && (
          <button type="button" className="link" data-write disabled={!tickedBy} onClick={() => setEditing(true)}>
            Note or attach…
          </button>
        )}
        {editing && (
          <div className="tick-form">
            <label className="wide">
              Note{' '}
              <textarea
                rows={2}
                value={note}
                maxLength={1000}
                onChange={(e) => setNote(e.target.value)}
                placeholder="what was checked, where, readings"
              />
            </label>
            <label>
              Photo or file{' '}
              <input
                type="file"
                multiple
                aria-label={`Attach to ${item.text}`}
                onChange={(e) => {
                  setFiles([...(e.target.files ?? [])]);
                  setError(null);
                }}
              />
            </label>
            <div className="actions">
              <button
                type="button"
                className="primary"
                disabled={busy || (!note.trim() && files.length === 0)}
                onClick={() => void send(true, true)}
              >
                Tick with note{files.length ? ` and ${files.length} file${files.length === 1 ? '' : 's'}` : ''}
              </button>
              <button
                type="button"
                onClick={() => {
                  setEditing(false);
                  setError(null);
                }}
              >
                Cancel
              </button>
            </div>
          </div>
        )}
        <Outcome error={error} done="" />
      </div>
    </li>
  );
}

/** The checklists of a change; `version` changes when the change does (refetch). */
export function ChecklistRunner({ changeId, version }: { changeId: string; version: string }) {
  const api = useAppStore((s) => s.api);
  const people = useAppStore((s) => s.people);
  const zone = useAppStore(selectPlantZone);
  const [view, setView] = useState<ChecklistRunView | null>(null);
  const [error, setError] = useState<ErrorData | null>(null);
  const [reload, setReload] = useState(0);
  const [tickedBy, setTickedBy] = useState('');
  useEffect(() => {
    let live = true;
    if (api)
      void api.invoke('checklists.forChange', { changeId }).then(
        (r) => {
          if (live) {
            setView(r);
            setError(null);
          }
        },
        (x: unknown) => {
          if (live) setError(errorOf(x));
        },
      );
    return () => {
      live = false;
    };
  }, [api, changeId, version, reload]);
  if (error)
    return (
      <section className="panel" aria-label="Checklists">
        <h3>Checklists</h3>
        <Outcome error={error} done="" />
      </section>
    );
  if (!view) return null;
  return (
    <section className="panel" aria-label="Checklists">
      <h3>
        Checklists{' '}
        <span className="muted">
          ({view.name}, revision {view.revision})
        </span>
      </h3>
      {view.executing && (
        <label className="tick-by-row">
          Ticked by{' '}
          <select value={tickedBy} onChange={(e) => setTickedBy(e.target.value)} aria-label="Ticked by">
            <option value="">choose…</option>
            {people.map((p) => (
              <option key={p.employeeId} value={p.employeeId}>
                {p.name} ({p.employeeId})
              </option>
            ))}
          </select>{' '}
          <span className="muted">
            each tick records this person and the time; the next checkpoint signature covers the ticks, notes and attached files
          </span>
        </label>
      )}
      {view.templates.map((t) => {
        const open = view.executing && t.closedBy === null;
        return (
          <details key={t.id} open={open} data-template={t.id}>
            <summary>
              <strong>{t.name}</strong>{' '}
              <span className="muted">
                before {t.checkpointName} · {t.ticked} of {t.total} ticked{t.required ? ' · required' : ''}
              </span>
              {t.closedBy && (
                <span className="muted">
                  {' '}
                  · closed by {t.closedBy.label} ({t.closedBy.by}, <PlantTime iso={t.closedBy.at} zone={zone} />)
                </span>
              )}
            </summary>
            {t.sections.map((s) => (
              <div key={s.name} className="checklist-section">
                <h4>{s.name}</h4>
                <ul className="tick-list">
                  {s.items.map((i) => (
                    <ItemRow
                      key={i.text}
                      changeId={changeId}
                      template={t}
                      item={i}
                      tickedBy={tickedBy}
                      open={open}
                      onDone={() => setReload((n) => n + 1)}
                    />
                  ))}
                </ul>
              </div>
            ))}
          </details>
        );
      })}
    </section>
  );
}
