/** One KPI card: the figure for the period, its monthly chart (a month opens its changes) and CSV export. */
import { Bar, BarChart, CartesianGrid, LabelList, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { KPI_DEFINITIONS, kpiPoint, leadTimeTrend, type KpiId, type KpiReport } from '../../../src-shared/common/kpi/change-kpis.ts';
import { kpiSeriesCsv } from '../../../src-shared/common/kpi/kpi-csv.ts';
import { CHANGE_CLASSES } from '../../../src-shared/common/workflow/workflow-terms.ts';
import { downloadCsv } from '../../components/file-transfer.ts';
import { formatBasis, formatValue, monthLabel } from './kpi-format.ts';

/** A figure the user opened: a KPI for a month (null: the whole period) and a line (null: all lines). */
export interface KpiDrill {
  kpi: KpiId;
  month: string | null;
  line: string | null;
}

const CLASS_COLOURS: Record<string, string> = {
  standard: '#1d7a3a',
  normal: '#0d4f8b',
  emergency: '#b3261e',
  'safety-critical': '#8a5a00',
};

/** One KPI: the period's figure, the monthly chart (click a month for the changes behind it), CSV export. */
export function KpiCard({
  report,
  kpi,
  line,
  onDrill,
}: {
  report: KpiReport;
  kpi: KpiId;
  line: string | null;
  onDrill(d: KpiDrill): void;
}) {
  const def = KPI_DEFINITIONS[kpi];
  const period = kpiPoint(report, kpi, null, line);
  const lineName = line ?? 'all lines';
  const openMonth = (index: unknown) => {
    const month = typeof index === 'number' || typeof index === 'string' ? report.months[Number(index)] : undefined;
    if (month) onDrill({ kpi, month, line });
  };
  const exportSeries = () => downloadCsv(`baseline-kpi-${kpi}-${line ?? 'all-lines'}.csv`, kpiSeriesCsv(report, kpi, line));
  let chart;
  let headline;
  if (kpi === 'lead-time') {
    const data = report.months.map((m) => ({
      month: monthLabel(m),
      key: m,
      ...Object.fromEntries(CHANGE_CLASSES.map((c) => [c, kpiPoint(report, kpi, m, line, c)?.value ?? null])),
    }));
    const measured = CHANGE_CLASSES.filter((c) => (kpiPoint(report, kpi, null, line, c)?.numerator ?? 0) > 0);
    headline = (
      <ul className="kpi-classes">
        {measured.length === 0 && <li className="muted">No change started yet.</li>}
        {measured.map((c) => {
          const trend = leadTimeTrend(report, line, c);
          return (
            <li key={c} data-class={c}>
              <strong>{c}</strong> median {formatValue(kpiPoint(report, kpi, null, line, c)?.value ?? null, 'days')}
              <span className="muted">
                {' '}
                · {formatBasis(kpiPoint(report, kpi, null, line, c), 'days', kpi)}
                {trend === null ? '' : ` · trend ${trend > 0 ? '+' : ''}${trend.toFixed(1)} d/month`}
              </span>
            </li>
          );
        })}
      </ul>
    );
    chart = (
      <LineChart data={data} margin={{ top: 8, right: 12, bottom: 0, left: -12 }}>
        <CartesianGrid stroke="#e5e9ef" vertical={false} />
        <XAxis dataKey="month" tick={{ fontSize: 11 }} padding={{ left: 24, right: 24 }} />
        <YAxis tick={{ fontSize: 11 }} allowDecimals />
        <Tooltip formatter={(v) => formatValue(typeof v === 'number' ? v : null, 'days')} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {measured.map((c) => (
          <Line
            key={c}
            type="monotone"
            dataKey={c}
            name={c}
            stroke={CLASS_COLOURS[c]}
            strokeWidth={2}
            connectNulls
            isAnimationActive={false}
            activeDot={false}
            dot={(d: { cx?: number | null; cy?: number | null; payload?: { key?: string } }) =>
              typeof d.cx === 'number' && typeof d.cy === 'number' && d.payload?.key ? (
                <circle
                  key={`${c}-${d.payload.key}`}
                  className="kpi-dot"
                  cx={d.cx}
                  cy={d.cy}
                  r={4}
                  fill="#fff"
                  stroke={CLASS_COLOURS[c]}
                  strokeWidth={2}
                  onClick={() => openMonth(report.months.indexOf(d.payload?.key ?? ''))}
                />
              ) : (
                <g key={`${c}-${String(d.cx)}`} />
              )
            }
          />
        ))}
      </LineChart>
    );
  } else {
    const scale = def.unit === 'rate' ? 100 : 1;
    const data = report.months.map((m) => {
      const p = kpiPoint(report, kpi, m, line);
      // The label tells a 0% month (nothing counted) from a month with nothing to measure (no label, no bar).
      const label = !p || p.denominator === 0 ? '' : def.unit === 'rate' ? `${p.numerator}/${p.denominator}` : String(p.numerator);
      const value = !p || p.value === null || p.denominator === 0 ? null : p.value * scale;
      return { month: monthLabel(m), value, basis: formatBasis(p, def.unit, kpi), label };
    });
    headline = (
      <p className="kpi-figure">
        <strong data-testid={`kpi-figure-${kpi}`}>{formatValue(period?.value ?? null, def.unit)}</strong>
        <button type="button" className="link" onClick={() => onDrill({ kpi, month: null, line })}>
          {formatBasis(period, def.unit, kpi)}
        </button>
      </p>
    );
    chart = (
      <BarChart data={data} margin={{ top: 20, right: 12, bottom: 0, left: -12 }}>
        <CartesianGrid stroke="#e5e9ef" vertical={false} />
        <XAxis dataKey="month" tick={{ fontSize: 11 }} />
        <YAxis
          tick={{ fontSize: 11 }}
          allowDecimals={false}
          domain={def.unit === 'rate' ? [0, 100] : [0, 'auto']}
          unit={def.unit === 'rate' ? '%' : ''}
        />
        <Tooltip
          formatter={(v, _n, item) => [
            `${def.unit === 'rate' ? `${Math.round(Number(v))}%` : String(v)} (${(item.payload as { basis: string }).basis})`,
            def.title,
          ]}
        />
        <Bar
          dataKey="value"
          name={def.title}
          fill={
            kpi === 'rollback' || kpi === 'emergency' || kpi === 'overdue-retrospective' || kpi === 'unauthorized-drift'
              ? '#b3261e'
              : '#0d4f8b'
          }
          isAnimationActive={false}
          minPointSize={3}
          cursor="pointer"
          onClick={(_bar, index) => openMonth(index)}
        >
          <LabelList dataKey="label" position="top" fontSize={11} fill="#5d6877" />
        </Bar>
      </BarChart>
    );
  }
  return (
    <section className="panel kpi-card" aria-label={def.title} data-kpi={kpi}>
      <div className="kpi-card-head">
        <h2>{def.title}</h2>
        <button type="button" onClick={exportSeries} title={`The monthly series for ${lineName} as CSV`}>
          CSV
        </button>
      </div>
      <p className="muted kpi-definition">
        Of {def.population}: {def.counts}.
      </p>
      {headline}
      <div className="kpi-chart" data-testid={`kpi-chart-${kpi}`}>
        <ResponsiveContainer width="100%" height={170}>
          {chart}
        </ResponsiveContainer>
      </div>
    </section>
  );
}
