import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';

const defaultPolicy = readFileSync(fileURLToPath(new URL('../../../resources/policy/default-policy.yaml', import.meta.url)), 'utf8');
/** The shipped policy's revision, and the next one a plant adopts. */
const SHIPPED = Number(/^revision: (\d+)$/m.exec(defaultPolicy)![1]);
const NEXT = SHIPPED + 1;
const raised = (text: string) => text.replace(/^revision: \d+$/m, `revision: ${NEXT}`);

/** The default policy as the next revision, with the given tier-1 notice. */
function nextRevision(notice: string): string {
  const text = raised(defaultPolicy).replace(/^name: .*$/m, 'name: Plant policy 2027');
  return text.replace(/(\n {2}1:\n(?: {4}.*\n)*? {4}notice: )\S+/, `$1${notice}`);
}

describe('adopting a policy: checked in full, signed, journalled, in force after a restart', () => {
  const t = tempHome();
  let app: BaselineApp;
  let controllerId: string;
  const [eng, pem] = RACI;

  beforeAll(() => {
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    controllerId = setUpPlant(app);
  }, 60_000);
  afterAll(() => {
    app.close();
    t.cleanup();
  });

  it('the shipped default is in force until another is adopted', () => {
    expect(app.policy.inForce()).toMatchObject({ revision: SHIPPED, adoptedBy: null });
  });

  it('refuses a malformed file, a revision that is not higher, and a signer without the role; nothing changes', () => {
    expect(() =>
      app.policy.adopt(raised(defaultPolicy).replace('quorum: 2', 'quorum: two'), 'p.yaml', pem.employeeId, pem.password, app.actor()),
    ).toThrow(/p\.yaml cannot be used: .*line \d+/);
    expect(() => app.policy.adopt(defaultPolicy, 'same.yaml', pem.employeeId, pem.password, app.actor())).toThrow(
      new RegExp(`revision ${SHIPPED}; .* already revision ${SHIPPED}`),
    );
    expect(() => app.policy.adopt(nextRevision('72h'), 'p2.yaml', eng.employeeId, eng.password, app.actor())).toThrow(
      /adopting a policy needs one of/,
    );
    expect(() => app.policy.adopt(nextRevision('72h'), 'p2.yaml', pem.employeeId, 'wrong-password', app.actor())).toThrow(/password/);
    expect(app.policy.inForce().revision).toBe(SHIPPED);
  });

  it("adopts the next revision with the manager's signature; new evaluations use it; it survives a restart and a rebuild", () => {
    const before = app.changes.evaluate(normalChangeFields(controllerId, new Date()) as never).evaluation!;
    expect(before.notice.reasons.join(' ')).toMatch(/48 h/);
    expect(app.policy.adopt(nextRevision('72h'), 'plant-policy-2027.yaml', pem.employeeId, pem.password, app.actor())).toEqual({
      revision: NEXT,
      name: 'Plant policy 2027',
    });
    const after = app.changes.evaluate(normalChangeFields(controllerId, new Date()) as never).evaluation!;
    expect(after.notice.reasons.join(' ')).toMatch(/tier 1: 3 d notice/);
    expect(app.policy.inForce()).toMatchObject({
      revision: NEXT,
      name: 'Plant policy 2027',
      source: 'plant-policy-2027.yaml',
      adoptedBy: pem.name,
    });
    expect(app.journal.page(1)[0]!.type).toBe('policy.adopted');
    app.close();
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    expect(app.policy.inForce().revision).toBe(NEXT);
    app.journal.rebuildProjections();
    expect(app.policy.inForce()).toMatchObject({ revision: NEXT, adoptedBy: pem.name });
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });
});
