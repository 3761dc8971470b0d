/** The KPIs screen: change KPIs from the journal per plant-time month and line, each figure opening the changes behind it. */
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { KPI_DEFINITIONS, KPI_IDS, kpiPoint, type KpiPoint } from '../../../src-shared/common/kpi/change-kpis.ts';
import { registerCsv } from '../../../src-shared/common/kpi/kpi-csv.ts';
import { selectPlantZone, useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import { downloadCsv } from '../../components/file-transfer.ts';
import { KpiCard, type KpiDrill } from './kpi-card.tsx';
import { formatBasis, formatValue, monthLabel } from './kpi-format.ts';
import { PlantTime } from '../../components/plant-time.tsx';

const TABLE_KPIS = KPI_IDS.filter((k) => k !== 'lead-time');

/** Change KPIs computed from the journal, per plant-time month and line; every figure opens the changes behind it. */
export function KpisView() {
  const s = useAppStore(
    useShallow((st) => ({
      report: st.kpiReport,
      error: st.kpiError,
      load: st.loadKpis,
      changes: st.changes,
      loadChanges: st.loadChanges,
      show: st.showInRegister,
      selectChange: st.selectChange,
    })),
  );
  const [line, setLine] = useState('');
  const [drill, setDrill] = useState<KpiDrill | null>(null);
  const { load, loadChanges } = s;
  useEffect(() => {
    void load();
    void loadChanges();
  }, [load, loadChanges]);
  const r = s.report;
  const lineOrAll = line === '' ? null : line;
  return (
    <section>
      <div className="view-head">
        <div>
          <h1>Change KPIs</h1>
          <p className="muted">
            Computed from the signed journal as it stands now{r ? `, by calendar month in plant time (${r.timeZone})` : ''}. Each figure
            says under its title what it counts; click a bar or a figure for the changes behind it.
          </p>
        </div>
        <button type="button" onClick={() => downloadCsv('baseline-change-register.csv', registerCsv(s.changes))}>
          Export register (CSV)
        </button>
      </div>
      {s.error && <ErrorPanel error={s.error} title="The KPIs cannot be computed" />}
      {r && (
        <>
          <div className="filters">
            <label>
              Line{' '}
              <select
                aria-label="KPIs for line"
                value={line}
                onChange={(e) => {
                  setLine(e.target.value);
                  setDrill(null);
                }}
              >
                <option value="">all lines</option>
                {r.lines.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <span className="muted">
              {r.months.length === 1 ? monthLabel(r.months[0]!) : `${monthLabel(r.months[0]!)} – ${monthLabel(r.months.at(-1)!)}`}
            </span>
            <button type="button" onClick={() => void load()}>
              Refresh
            </button>
          </div>
          {drill && (
            <DrillPanel
              drill={drill}
              onClose={() => setDrill(null)}
              onOpen={(label, ids, one) => {
                s.show({ label, ids });
                if (one) void s.selectChange(one);
              }}
            />
          )}
          <div className="kpi-grid">
            {KPI_IDS.map((k) => (
              <KpiCard key={k} report={r} kpi={k} line={lineOrAll} onDrill={setDrill} />
            ))}
          </div>
          <section className="panel">
            <h2>By line, whole period</h2>
            <table className="events kpi-lines" aria-label="KPIs by line">
              <thead>
                <tr>
                  <th>Line</th>
                  {TABLE_KPIS.map((k) => (
                    <th key={k}>{KPI_DEFINITIONS[k].title}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {r.lines.length === 0 && (
                  <tr>
                    <td colSpan={TABLE_KPIS.length + 1} className="muted">
                      No change has reached a KPI yet.
                    </td>
                  </tr>
                )}
                {r.lines.map((l) => (
                  <tr key={l}>
                    <td>{l}</td>
                    {TABLE_KPIS.map((k) => {
                      const p = kpiPoint(r, k, null, l);
                      return (
                        <td key={k}>
                          <button
                            type="button"
                            className="link"
                            title={formatBasis(p, KPI_DEFINITIONS[k].unit, k)}
                            onClick={() => setDrill({ kpi: k, month: null, line: l })}
                          >
                            {formatValue(p?.value ?? null, KPI_DEFINITIONS[k].unit)}
                          </button>
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}

/** The records behind one figure, with the way into the Changes register. */
function DrillPanel({
  drill,
  onClose,
  onOpen,
}: {
  drill: KpiDrill;
  onClose(): void;
  onOpen(label: string, ids: string[], one?: string): void;
}) {
  const { report, changes } = useAppStore(useShallow((st) => ({ report: st.kpiReport, changes: st.changes })));
  const zone = useAppStore(selectPlantZone);
  if (!report) return null;
  const def = KPI_DEFINITIONS[drill.kpi];
  const points: KpiPoint[] = report.points.filter((p) => p.kpi === drill.kpi && p.month === drill.month && p.line === drill.line);
  const ids = [...new Set(points.flatMap((p) => p.ids))];
  const hits = new Set(points.flatMap((p) => p.hits));
  const label = `${def.title} · ${drill.line ?? 'all lines'} · ${drill.month ? monthLabel(drill.month) : 'whole period'}`;
  const head =
    drill.kpi === 'lead-time'
      ? `${ids.length} change${ids.length === 1 ? '' : 's'} started`
      : `${formatValue(points[0]?.value ?? null, def.unit)} · ${formatBasis(points[0], def.unit, drill.kpi)}`;
  return (
    <section className="panel kpi-drill" aria-label="Changes behind the figure">
      <div className="kpi-card-head">
        <h2>{label}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p>{head}</p>
      {drill.kpi === 'unauthorized-drift' ? (
        <ul className="kpi-records">
          {ids.length === 0 && <li className="muted">No unauthorized change was found by drift here.</li>}
          {report.unauthorized
            .filter((u) => ids.includes(u.id))
            .map((u) => (
              <li key={u.id}>
                {u.controller} · opened <PlantTime iso={u.openedAt} zone={zone} /> ·{' '}
                {u.closedAt ? 'explained and closed' : <span className="bad-text">open</span>}
              </li>
            ))}
        </ul>
      ) : (
        <>
          <ul className="kpi-records">
            {ids.length === 0 && <li className="muted">No change is in this figure.</li>}
            {ids.map((id) => {
              const c = changes.find((x) => x.id === id);
              return (
                <li key={id}>
                  <button type="button" className="link" onClick={() => onOpen(label, ids, id)}>
                    {c?.title || id}
                  </button>
                  <span className="muted">
                    {' '}
                    · {c?.class ?? ''} · {c?.status ?? ''} · {c?.lines.join(', ') || 'no line'}
                  </span>
                  {drill.kpi === 'lead-time' ? (
                    <span> · {formatValue(report.leadDays[id] ?? null, 'days')}</span>
                  ) : (
                    <span className={hits.has(id) ? 'kpi-hit' : 'muted'}> · {hits.has(id) ? 'counted' : 'not counted'}</span>
                  )}
                </li>
              );
            })}
          </ul>
          {ids.length > 0 && (
            <button type="button" className="primary" onClick={() => onOpen(label, ids)}>
              Show these {ids.length} in the Changes register
            </button>
          )}
        </>
      )}
    </section>
  );
}
