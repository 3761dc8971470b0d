/** The demo banner shown on every screen of a demo data directory, with the demo people and their passwords. */
import { useAppStore } from '../../state/app-store.ts';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';

/** On every screen of a demo data directory: DEMO, and the demo people with the passwords they sign with. */
export function DemoBanner() {
  const people = useAppStore((s) => s.demoPeople);
  const roles = useAppStore((s) => s.roles);
  const roleWords = (r: string) => roleName(roles, r);
  return (
    <div className="demo-banner" role="note" aria-label="Demo plant">
      <strong>DEMO</strong>
      <span>Demo plant: demo data, never evidence. Its controllers are simulators run by this app.</span>
      <details>
        <summary>Demo people and passwords</summary>
        <div className="demo-people">
          <p className="muted">
            Sign as anyone below with their demo password. The plant CA password is <code>{people?.caPassword ?? '…'}</code>.
          </p>
          <table aria-label="Demo people">
            <thead>
              <tr>
                <th>Name</th>
                <th>Employee id</th>
                <th>Roles</th>
                <th>Password</th>
              </tr>
            </thead>
            <tbody>
              {(people?.people ?? []).map((p) => (
                <tr key={p.employeeId}>
                  <td>{p.name}</td>
                  <td>{p.employeeId}</td>
                  <td>{p.roles.map(roleWords).join(', ')}</td>
                  <td>
                    <code>{p.password}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
