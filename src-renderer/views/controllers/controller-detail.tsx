/** The selected controller on the Controllers screen: its identity, capture with progress, the captured values, signed snapshots, history and comparison, baseline. */
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore, selectPlantZone, selectSelectedController } from '../../state/app-store.ts';
import type { CaptureDocument } from '../../../src-shared/common/capture/capture-document.ts';
import { SignDialog } from './sign-dialog.tsx';
import { BaselinePanel } from './baseline-panel.tsx';
import { ProfileEditor } from './profile-editor.tsx';
import { DiffTable } from '../../components/diff-table.tsx';
import { formatPlant, PlantTime } from '../../components/plant-time.tsx';
import { ControllerEditForm } from './controller-edit-form.tsx';
import { describeTolerance } from '../../../src-shared/common/diff/live-tolerance.ts';

function formatValue(v: CaptureDocument['values'][number]): string {
  if (v.quality === 'bad') return '—';
  return typeof v.value === 'string' ? `"${v.value}"` : String(v.value);
}

const SHOWN = 2000;

function CaptureValues({ doc, focus }: { doc: CaptureDocument; focus: string }) {
  const zone = useAppStore(selectPlantZone);
  const [badOnly, setBadOnly] = useState(false);
  const [search, setSearch] = useState(focus);
  const needle = search.trim().toLowerCase();
  const matching = doc.values.filter((v) => (!badOnly || v.quality === 'bad') && (needle === '' || v.tag.toLowerCase().includes(needle)));
  // A plain table stays responsive up to a few thousand rows; the diff view is virtualised for the rest.
  const rows = matching.slice(0, SHOWN);
  return (
    <section aria-label="Captured values">
      {!doc.complete && (
        <div className="error-panel" role="alert" data-testid="capture-incomplete">
          <strong>
            Incomplete capture: {doc.stats.bad} of {doc.stats.tags} tags have no good value.
          </strong>
          <p>
            An incomplete capture is kept for the record but can never be used as evidence.{doc.failure ? ` ${doc.failure.message}` : ''}
          </p>
          {doc.failure && <p className="hint">What to do: {doc.failure.hint}</p>}
        </div>
      )}
      <div className="table-head">
        <span className="muted">
          Captured <PlantTime iso={doc.capture.at} zone={zone} /> by {doc.capture.by.name} · {doc.stats.requests} requests (minimum{' '}
          {doc.stats.minimumRequests}) · {doc.stats.durationMs} ms
        </span>
        <span className="actions">
          <input
            type="search"
            aria-label="Search tags"
            placeholder="Search tags"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <label className="inline">
            <input type="checkbox" checked={badOnly} onChange={(e) => setBadOnly(e.target.checked)} /> bad only
          </label>
        </span>
      </div>
      {matching.length > SHOWN && (
        <p className="muted">
          Showing the first {SHOWN.toLocaleString()} of {matching.length.toLocaleString()} tags; search to find others.
        </p>
      )}
      <table className="events values" data-testid="capture-values">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Address</th>
            <th>Type</th>
            <th>Class</th>
            <th>Value</th>
            <th>Quality</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((v) => (
            <tr key={v.tag} className={v.quality === 'bad' ? 'row-bad' : ''} data-tag={v.tag}>
              <td>
                {v.tag}
                {v.safety && (
                  <span className="badge badge-warn" title="Safety-related">
                    safety
                  </span>
                )}
              </td>
              <td>
                <code>{v.address}</code>
              </td>
              <td>{v.type}</td>
              <td>
                {v.class}
                {v.tolerance && (
                  <>
                    {' '}
                    <span className="muted" title={`Declared tolerance ${describeTolerance(v.tolerance)}`} data-testid="value-tolerance">
                      {describeTolerance(v.tolerance).replace(' of the before value', '')}
                    </span>
                  </>
                )}
              </td>
              <td className="num" title={v.raw ? `raw ${v.raw}` : (v.error ?? '')}>
                {formatValue(v)}
              </td>
              <td>
                {v.quality === 'good' ? (
                  <span className="badge badge-ok">good</span>
                ) : (
                  <span className="badge badge-bad" title={v.error}>
                    bad
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** One controller: identity, last capture, "Capture now" with progress and cancel, and the captured values. */
export function ControllerDetail() {
  const controller = useAppStore(selectSelectedController);
  const zone = useAppStore(selectPlantZone);
  const { active, doc, startCapture, cancelCapture, snapshots, history, diff, compare, clearDiff } = useAppStore(
    useShallow((s) => ({
      active: s.activeCapture,
      doc: s.captureDoc,
      startCapture: s.startCapture,
      cancelCapture: s.cancelCapture,
      snapshots: s.snapshots,
      history: s.history,
      diff: s.diff,
      compare: s.compare,
      clearDiff: s.clearDiff,
    })),
  );
  const [signing, setSigning] = useState(false);
  const [editing, setEditing] = useState(false);
  const [changing, setChanging] = useState<'none' | 'edit' | 'retire'>('none');
  const tagFocus = useAppStore((s) => s.tagFocus);
  if (!controller) return <p className="muted">Select a controller, or add one.</p>;
  const running = active?.controllerId === controller.id ? active : null;
  const pct = running && running.total > 0 ? Math.round((100 * running.done) / running.total) : 0;
  const shownDoc = doc && doc.controller.description === controller.description ? doc : null;
  return (
    <section className="detail-pane" aria-label={`Controller ${controller.name}`}>
      <div className="view-head">
        <div>
          <h2>{controller.name}</h2>
          <p className="muted">
            {controller.description} · profile{' '}
            {controller.profile ? `${controller.profile.name} (${controller.profile.tags} tags)` : 'none'}
            {controller.profile && !editing && (
              <>
                {' '}
                ·{' '}
                <button type="button" data-write className="link" onClick={() => setEditing(true)}>
                  Edit profile…
                </button>
              </>
            )}
            {changing === 'none' && (
              <>
                {' '}
                ·{' '}
                <button type="button" data-write className="link" onClick={() => setChanging('edit')}>
                  Edit controller…
                </button>
                {' · '}
                <button type="button" data-write className="link" onClick={() => setChanging('retire')}>
                  Retire…
                </button>
              </>
            )}
          </p>
        </div>
        {running ? (
          <button type="button" data-write onClick={() => void cancelCapture()}>
            Cancel capture
          </button>
        ) : (
          <button
            type="button"
            data-write
            className="primary"
            disabled={!controller.profile || active !== null}
            onClick={() => void startCapture(controller.id)}
          >
            Capture now
          </button>
        )}
      </div>
      {running && (
        <div
          className="progress"
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-label="Capture progress"
        >
          <div className="bar" style={{ width: `${pct}%` }} />
          <span>
            {running.done} of {running.total} tags · {running.detail}
          </span>
        </div>
      )}
      {shownDoc?.identity && (
        <dl className="identity" aria-label="Identity">
          {Object.entries(shownDoc.identity).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
      )}
      {changing !== 'none' && (
        <ControllerEditForm
          key={`${controller.id}-${changing}`}
          controller={controller}
          mode={changing}
          onDone={() => setChanging('none')}
        />
      )}
      {editing && controller.profile && (
        <ProfileEditor controllerId={controller.id} sha256={controller.profile.sha256} onDone={() => setEditing(false)} />
      )}
      <BaselinePanel controllerId={controller.id} />
      {snapshots.length > 0 && (
        <p className="ok-text" data-testid="signed-snapshots">
          Signed snapshots:{' '}
          {snapshots
            .map(
              (s) =>
                `captured by ${s.signer}${s.cosigners.length ? ` (also signed by ${s.cosigners.join(', ')})` : ''}, ${formatPlant(s.at, zone)}`,
            )
            .join('; ')}
        </p>
      )}
      {shownDoc?.complete && controller.lastCapture && !running && !signing && (
        <button type="button" data-write onClick={() => setSigning(true)}>
          Sign as evidence…
        </button>
      )}
      {signing && controller.lastCapture && (
        <SignDialog controllerId={controller.id} captureSha256={controller.lastCapture.captureSha256} onDone={() => setSigning(false)} />
      )}
      {controller.lastCapture && history.length > 1 && !running && (
        <label className="inline compare">
          Compare the last capture with
          <select
            aria-label="Compare with"
            value=""
            onChange={(e) => {
              if (e.target.value) void compare(e.target.value, controller.lastCapture!.captureSha256);
            }}
          >
            <option value="">an earlier capture…</option>
            {history.slice(1).map((h) => (
              <option key={h.captureSha256} value={h.captureSha256}>
                {formatPlant(h.at, zone)} ({h.good}/{h.tags} good)
              </option>
            ))}
          </select>
          {diff && (
            <button type="button" onClick={clearDiff}>
              Back to values
            </button>
          )}
        </label>
      )}
      {diff ? (
        <DiffTable diff={diff} label={`Differences of ${controller.name}`} />
      ) : shownDoc ? (
        <CaptureValues
          key={`${controller.id}-${tagFocus?.tag ?? ''}`}
          doc={shownDoc}
          focus={tagFocus?.controllerId === controller.id ? tagFocus.tag : ''}
        />
      ) : (
        !running && <p className="muted">{controller.lastCapture ? 'Loading the last capture…' : 'Never captured.'}</p>
      )}
    </section>
  );
}
