/**
 * What the Reviews panel shows of a break-glass change's reviews once signed, so the shift supervisor and the CAB read
 * them where they sign: the approver's own signature, the emergency report section by section (labelled as the
 * signed-actions table labels its fields), and how far the retrospective review is (who reviewed as what, what is
 * still needed, and where it is signed).
 */
import { useAppStore } from '../../state/app-store.ts';
import { PlantTime } from '../../components/plant-time.tsx';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';
import { countApprovals } from '../../../src-shared/common/workflow/approval-progress.ts';
import { breakGlassMethodWords, type BreakGlassRecord, type Execution } from '../../../src-shared/common/workflow/execution-records.ts';
import type { EmergencyReportRecord } from '../../../src-shared/common/workflow/change-state.ts';
import { SIGNED_ACTIONS } from '../../../src-shared/common/workflow/signed-actions.ts';
import { fieldLabel } from './action-form.tsx';

/** The break-glass approver's own signature, once given. */
export function BreakGlassApproval({ glass }: { glass: BreakGlassRecord }) {
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const roles = useAppStore((st) => st.roles);
  if (!glass.approverSignedAt) return null;
  return (
    <p className="ok-text" data-testid="break-glass-approval">
      Break-glass approval by {glass.approver.name} as {roleName(roles, glass.approver.role)} (given {breakGlassMethodWords(glass.method)}),
      signed with their own password <PlantTime iso={glass.approverSignedAt} zone={zone} />.
    </p>
  );
}

/** The signed emergency report, one section a line. */
export function EmergencyReport({ report }: { report: EmergencyReportRecord }) {
  const zone = useAppStore((st) => st.policy?.timeZone ?? 'UTC');
  const sections = (['rootCause', 'contributingFactors', 'lessonsLearned', 'permanentFix'] as const).filter((k) => report[k] !== '');
  return (
    <div className="wide" data-testid="emergency-report">
      <p>
        <strong>{SIGNED_ACTIONS['emergency-report'].title}</strong> by {report.by.name}, <PlantTime iso={report.at} zone={zone} />
      </p>
      <dl className="report">
        {sections.map((k) => (
          <div key={k}>
            <dt>{fieldLabel('emergency-report', k).replace(/ \(.*\)$/, '')}</dt>
            <dd>{report[k]}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** How far the retrospective review is (who reviewed as what), and while it is open what it waits for or where it is signed. */
export function RetrospectiveProgress({ execution }: { execution: Execution }) {
  const roles = useAppStore((st) => st.roles);
  const r = execution.retrospective;
  if (r === null || r.rejection) return null;
  const label = (x: string) => roleName(roles, x);
  const progress = countApprovals(r.requirements, r.reviews, false, label, 'review');
  const owed = [
    execution.breakGlass?.approverSignedAt === null ? 'the break-glass approval' : null,
    execution.emergencyReport === undefined ? 'the emergency report' : null,
  ].filter((x) => x !== null);
  const waiting = owed.length > 0 ? owed.join(' and ') : null;
  return (
    <ul className="plain wide" data-testid="retrospective-progress">
      {progress.requirements.map((p) => (
        <li key={p.requirement.group}>
          {SIGNED_ACTIONS['retrospective-review'].title} ({p.requirement.name}):{' '}
          {p.counted.length > 0 ? p.counted.map((c) => `${c.by.name} as ${label(c.role)}`).join(', ') : 'none yet'}
          {p.satisfied ? ' ✓' : ` — ${p.missing}.`}
          {p.satisfied
            ? ''
            : waiting
              ? ` It waits for ${waiting}.`
              : ` Signed in "Sign" below: Decision "${SIGNED_ACTIONS['retrospective-review'].title}".`}
        </li>
      ))}
    </ul>
  );
}
