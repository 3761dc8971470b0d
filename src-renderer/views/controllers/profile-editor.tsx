/** The capture profile editor: a controller's tags with class, safety, writable, description and tolerance, saved as a new profile version. */
import { useEffect, useState } from 'react';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { formatPlant } from '../../components/plant-time.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import { formatProfileCsv, type ProfileCsvRow } from '../../../src-shared/common/profile/profile-csv.ts';
import { profileErrorForTable } from '../../../src-shared/common/profile/profile-table-problems.ts';
import { readTolerance, type ToleranceProblem } from '../../../src-shared/common/diff/live-tolerance.ts';
import { WarningIcon } from '../../components/icons.tsx';

const SHOWN = 500;

/** A tag's tolerance as typed: the absolute band (in the tag's units) and the band in percent of the before value. */
interface ToleranceText {
  absolute: string;
  percent: string;
}

const NO_TOLERANCE: ToleranceText = { absolute: '', percent: '' };

/** Each tag's tolerance read with the rules of the profile CSV import: the rows to save, and every problem with its tag. */
function withTolerances(
  rows: readonly ProfileCsvRow[],
  texts: Readonly<Record<string, ToleranceText>>,
): { rows: ProfileCsvRow[]; problems: (ToleranceProblem & { tag: string })[] } {
  const problems: (ToleranceProblem & { tag: string })[] = [];
  const out = rows.map((r): ProfileCsvRow => {
    const text = texts[r.tag] ?? NO_TOLERANCE;
    const read = readTolerance(r.tag, r.class ?? 'config', r.type, text.absolute, text.percent);
    problems.push(...read.problems.map((p) => ({ ...p, tag: r.tag })));
    const row: ProfileCsvRow = { ...r };
    delete row.tolerance;
    return read.tolerance ? { ...row, tolerance: read.tolerance } : row;
  });
  return { rows: out, problems };
}

/** Whether a tag can have a tolerance (a live tag of a numeric type), asked of the same rules. */
function takesTolerance(r: ProfileCsvRow): boolean {
  return readTolerance(r.tag, r.class ?? 'config', r.type, '0', '').problems.length === 0;
}

/**
 * Edits a controller's capture profile: class (config / live), safety and writable flags, descriptions, a live
 * tag's tolerance (absolute, or percent of the before value: within it a live value is no finding), and
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
  const [tolerances, setTolerances] = useState<Record<string, ToleranceText>>({});
  const [attempted, setAttempted] = useState(false);

  useEffect(() => {
    void loadProfile(sha256).then((r) => {
      if ('error' in r) {
        setError(r.error);
        return;
      }
      setRows(r.value.tags);
      setTolerances(
        Object.fromEntries(
          r.value.tags.map((t) => [t.tag, { absolute: String(t.tolerance?.absolute ?? ''), percent: String(t.tolerance?.percent ?? '') }]),
        ),
      );
      setMeta({ name: r.value.name, protocol: r.value.protocol });
    });
  }, [loadProfile, sha256]);

  if (!rows || !meta)
    return error ? <ErrorPanel error={error} title="The profile could not be read" /> : <p className="muted">Loading the profile…</p>;
  const update = (tag: string, change: Partial<ProfileCsvRow>) => {
    setRows(rows.map((r) => (r.tag === tag ? { ...r, ...change } : r)));
    setDirty(true);
  };
  const setTolerance = (tag: string, change: Partial<ToleranceText>) => {
    setTolerances({ ...tolerances, [tag]: { ...(tolerances[tag] ?? NO_TOLERANCE), ...change } });
    setDirty(true);
  };
  const checked = withTolerances(rows, tolerances);
  const invalid = new Set(checked.problems.map((p) => p.message));
  const problemOf = (tag: string, column: string) => checked.problems.find((p) => p.tag === tag && p.column === column)?.message;
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
            onClick={() => {
              setAttempted(true);
              if (checked.problems.length > 0) return;
              void save(
                controllerId,
                `${meta.name.replace(/ \(edited.*\)$/, '')} (edited ${formatPlant(new Date().toISOString(), zone)})`,
                meta.protocol,
                formatProfileCsv(checked.rows),
              ).then((err) => {
                // The import names lines of the CSV made from the table; the engineer sees rows, tags and columns.
                setError(err && profileErrorForTable(err, checked.rows));
                if (!err) onDone();
              });
            }}
          >
            Save as new version
          </button>
          <button type="button" onClick={onDone}>
            Close
          </button>
        </div>
      </div>
      <div className="profile-tags-scroll">
        <table className="events profile-tags" aria-label="Profile tags">
          <thead>
            <tr>
              <th>Tag</th>
              <th>Address</th>
              <th>Type</th>
              <th>Class</th>
              <th>Safety</th>
              <th>Writable</th>
              <th>Description</th>
              <th title="A live value that moves by at most this much (in the tag's units), or by at most this percent of its value before a change, is no finding">
                Tolerance ± / %
              </th>
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
                    title={r.description ?? ''}
                    value={r.description ?? ''}
                    onChange={(e) => update(r.tag, { description: e.target.value })}
                  />
                </td>
                <td className="tolerance-cell">
                  <ToleranceInputs
                    tag={r.tag}
                    text={tolerances[r.tag] ?? NO_TOLERANCE}
                    applies={takesTolerance(r)}
                    problem={(column) => problemOf(r.tag, column)}
                    onChange={(change) => setTolerance(r.tag, change)}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="link"
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
      </div>
      {visible.length > SHOWN && (
        <p className="muted">
          Showing {SHOWN} of {visible.length}; search to find others.
        </p>
      )}
      {attempted && invalid.size > 0 && (
        <div className="error-panel" role="alert" aria-label="Tolerance problems">
          <strong>
            <WarningIcon />
            The profile was not saved: {invalid.size === 1 ? 'a tolerance is' : `${invalid.size} tolerances are`} not valid
          </strong>
          <ul className="problems">
            {[...invalid].map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
          <p className="hint">
            What to do: correct or clear each tolerance named: a plain number, 0 or more (percent of the value before a change in the %
            field), only on a live tag of a numeric type. Nothing was saved.
          </p>
        </div>
      )}
      {error && <ErrorPanel error={error} title="The profile was not saved" problemsLabel="Problems in the table" />}
    </section>
  );
}

/** A tag's two tolerance fields: absolute (in its units) and percent; a dash where no tolerance applies and none is set. */
function ToleranceInputs({
  tag,
  text,
  applies,
  problem,
  onChange,
}: {
  tag: string;
  text: ToleranceText;
  applies: boolean;
  problem: (column: string) => string | undefined;
  onChange: (change: Partial<ToleranceText>) => void;
}) {
  // A config tag or a bit has no tolerance; one set before its class changed stays editable, to be cleared.
  if (!applies && text.absolute === '' && text.percent === '')
    return (
      <span className="muted" title="Only a live tag of a numeric type has a tolerance">
        —
      </span>
    );
  const field = (key: keyof ToleranceText, column: string, label: string, meaning: string) => {
    const issue = problem(column);
    return (
      <label className="inline tolerance-field">
        {key === 'absolute' && <span aria-hidden="true">±</span>}
        <input
          aria-label={`${label} of ${tag}`}
          inputMode="decimal"
          value={text[key]}
          aria-invalid={issue ? true : undefined}
          title={issue ?? meaning}
          onChange={(e) => onChange({ [key]: e.target.value })}
        />
        {key === 'percent' && <span aria-hidden="true">%</span>}
      </label>
    );
  };
  return (
    <>
      {field('absolute', 'tolerance', 'Tolerance', "± in the tag's units")}
      {field('percent', 'tolerance_pct', 'Tolerance in percent', '± percent of the value before a change')}
    </>
  );
}
