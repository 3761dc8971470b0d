/** The capture profile editor: a controller's tags with class, safety, writable and description, saved as a new profile version. */
import { useEffect, useState } from 'react';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { formatProfileCsv, type ProfileCsvRow } from '../../../src-shared/common/profile/profile-csv.ts';

const SHOWN = 500;

/**
 * Edits a controller's capture profile: class (config / live), safety and writable flags, descriptions, and
 * removing tags. Saving stores a new profile version (the old one stays, referenced by earlier captures) and
 * points the controller at it; both are journal events.
 */
export function ProfileEditor({ controllerId, sha256, onDone }: { controllerId: string; sha256: string; onDone: () => void }) {
  const loadProfile = useAppStore((s) => s.loadProfile);
  const save = useAppStore((s) => s.saveEditedProfile);
  const zone = useAppStore(selectPlantZone);
  const [rows, setRows] = useState<ProfileCsvRow[] | null>(null);
  const [meta, setMeta] = useState<{ name: string; protocol: 'modbus' | 's7' | 'logix' } | null>(null);
  const [search, setSearch] = useState('');
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<ErrorData | null>(null);

  useEffect(() => {
    void loadProfile(sha256).then((r) => {
      if ('error' in r) {
        setError(r.error);
        return;
      }
      setRows(r.value.tags);
      setMeta({ name: r.value.name, protocol: r.value.protocol });
    });
  }, [loadProfile, sha256]);

  if (!rows || !meta)
    return error ? <ErrorPanel error={error} title="The profile could not be read" /> : <p className="muted">Loading the profile…</p>;
  const update = (tag: string, change: Partial<ProfileCsvRow>) => {
    setRows(rows.map((r) => (r.tag === tag ? { ...r, ...change } : r)));
    setDirty(true);
  };
  const needle = search.trim().toLowerCase();
  const visible = rows.filter((r) => needle === '' || r.tag.toLowerCase().includes(needle) || r.address.toLowerCase().includes(needle));

  return (
    <section className="panel" aria-label="Profile editor">
      <div className="view-head">
        <h3>
          Profile “{meta.name}”: {rows.length} tags
        </h3>
        <div className="actions">
          <input
            type="search"
            aria-label="Search profile tags"
            placeholder="Search tags"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <button
            type="button"
            className="primary"
            disabled={!dirty || rows.length === 0}
            onClick={() =>
              void save(
                controllerId,
                `${meta.name.replace(/ \(edited.*\)$/, '')} (edited ${formatPlant(new Date().toISOString(), zone)})`,
                meta.protocol,
                formatProfileCsv(rows),
              ).then((err) => {
                setError(err);
                if (!err) onDone();
              })
            }
          >
            Save as new version
          </button>
          <button type="button" onClick={onDone}>
            Close
          </button>
        </div>
      </div>
      <table className="events" aria-label="Profile tags">
        <thead>
          <tr>
            <th>Tag</th>
            <th>Address</th>
            <th>Type</th>
            <th>Class</th>
            <th>Safety</th>
            <th>Writable</th>
            <th>Description</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {visible.slice(0, SHOWN).map((r) => (
            <tr key={r.tag} data-profile-tag={r.tag}>
              <td>{r.tag}</td>
              <td>
                <code>{r.address}</code>
              </td>
              <td>{r.type}</td>
              <td>
                <select
                  aria-label={`Class of ${r.tag}`}
                  value={r.class ?? 'config'}
                  onChange={(e) => update(r.tag, { class: e.target.value as 'config' | 'live' })}
                >
                  <option value="config">config</option>
                  <option value="live">live</option>
                </select>
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Safety of ${r.tag}`}
                  checked={r.safety ?? false}
                  onChange={(e) => update(r.tag, { safety: e.target.checked })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Writable of ${r.tag}`}
                  checked={r.writable ?? false}
                  onChange={(e) => update(r.tag, { writable: e.target.checked })}
                />
              </td>
              <td>
                <input
                  aria-label={`Description of ${r.tag}`}
                  value={r.description ?? ''}
                  onChange={(e) => update(r.tag, { description: e.target.value })}
                />
              </td>
              <td>
                <button
                  type="button"
                  aria-label={`Remove ${r.tag}`}
                  onClick={() => {
                    setRows(rows.filter((x) => x.tag !== r.tag));
                    setDirty(true);
                  }}
                >
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {visible.length > SHOWN && (
        <p className="muted">
          Showing {SHOWN} of {visible.length}; search to find others.
        </p>
      )}
      {error && <ErrorPanel error={error} title="The profile was not saved" />}
    </section>
  );
}
