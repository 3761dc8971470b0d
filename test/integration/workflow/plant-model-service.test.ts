import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { DB_FILE } from '../../../src-main/store/database.ts';
import { tempHome } from '../../helpers/temp-home.ts';
import { RACI, normalChangeFields, setUpPlant } from '../../helpers/change-fixture.ts';

const twoSites =
  'site,site_name,line,line_name,tier\nnorth,North plant,L01,Filler line,1\nnorth,,L02,Capper line,2\nsouth,South plant,L20,Palletiser,3\n';

describe('the plant model: signed imports and edits of sites and lines, each one journal event', () => {
  const t = tempHome();
  let app: BaselineApp;
  let controllerId: string;
  const [eng, pem] = RACI;
  const manager = { employeeId: pem.employeeId, password: pem.password };
  const open = () => BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });

  beforeAll(() => {
    app = open();
    controllerId = setUpPlant(app);
  }, 60_000);
  afterAll(() => {
    app.close();
    t.cleanup();
  });

  it("the fixture imported the demo plant with the manager's signature", () => {
    const imported = app.journal.page(50).find((e) => e.type === 'plant.imported')!;
    const payload = JSON.parse(imported.payload) as unknown;
    expect(JSON.parse(imported.actor)).toEqual({ kind: 'person', id: pem.employeeId, name: pem.name });
    expect(payload).toMatchObject({
      source: 'demo-plant.yaml',
      signature: { meaning: 'approved', signer: { employeeId: pem.employeeId } },
    });
    expect(app.plantModel.sites()).toEqual([{ id: 'midwest-packaging', name: 'Midwest packaging plant' }]);
  });

  it('refuses an import signed by someone without a plant-engineering role, with a wrong password, or from a bad file; nothing changes', () => {
    const before = app.journal.page(1)[0]!.rowid;
    expect(() => app.plantModel.importPlant(twoSites, 'lines.csv', { employeeId: eng.employeeId, password: eng.password })).toThrow(
      /importing the plant model needs one of plant-engineering-manager, admin/,
    );
    expect(() => app.plantModel.importPlant(twoSites, 'lines.csv', { employeeId: pem.employeeId, password: 'not-pats-password' })).toThrow(
      /password/i,
    );
    expect(() => app.plantModel.importPlant(twoSites.replace(',3\n', ',4\n'), 'lines.csv', manager)).toThrow(
      /lines\.csv line 4, tier: "4" must be 1, 2 or 3/,
    );
    expect(app.plantModel.lines()).toHaveLength(24);
    // Only the failed signature was recorded (it counts towards lockout).
    expect(
      app.journal
        .page(5)
        .filter((e) => e.rowid > before)
        .map((e) => e.type),
    ).toEqual(['person.signing-failed']);
  });

  it("a line's tier change is signed with its reason and what it replaced, and decides the next evaluation", () => {
    const fields = normalChangeFields(controllerId, new Date()) as never;
    expect(app.changes.evaluate(fields).evaluation!.staging.required).toBe(true);
    expect(() =>
      app.plantModel.setLine({ id: 'L01', name: 'Packaging line 1', tier: 2, site: 'midwest-packaging' }, '  ', manager),
    ).toThrow(/needs a reason/);
    expect(() =>
      app.plantModel.setLine({ id: 'L01', name: 'Packaging line 1', tier: 1, site: 'midwest-packaging' }, 'no-op', manager),
    ).toThrow(/already reads exactly so/);
    expect(() => app.plantModel.setLine({ id: 'L01', name: 'Packaging line 1', tier: 2, site: 'nowhere' }, 'r', manager)).toThrow(
      /There is no site nowhere/,
    );
    expect(() =>
      app.plantModel.setLine({ id: 'L01', name: 'Packaging line 1', tier: 5 as never, site: 'midwest-packaging' }, 'r', manager),
    ).toThrow(/tier: must be 1, 2 or 3/);
    expect(() =>
      app.plantModel.setLine({ id: 'L01', name: 'Packaging line 1', tier: 2, site: 'midwest-packaging' }, 'quarterly review', {
        employeeId: eng.employeeId,
        password: eng.password,
      }),
    ).toThrow(/changing a line's tier needs one of/);
    app.plantModel.setLine(
      { id: 'L01', name: 'Packaging line 1', tier: 2, site: 'midwest-packaging' },
      'quarterly tier review Q1',
      manager,
    );
    const e = app.journal.page(1)[0]!;
    expect(e.type).toBe('plant.line-set');
    expect(JSON.parse(e.payload)).toMatchObject({
      line: { id: 'L01', tier: 2 },
      previous: { id: 'L01', tier: 1 },
      reason: 'quarterly tier review Q1',
      signature: { signer: { employeeId: pem.employeeId } },
    });
    const evaluation = app.changes.evaluate(fields).evaluation!;
    expect(evaluation.staging.required).toBe(false);
    expect(evaluation.lines).toEqual([{ id: 'L01', name: 'Packaging line 1', tier: 2 }]);
  });

  it('adds a site and a line on it; removes a line only when no controller is on it', () => {
    app.plantModel.setSite({ id: 'labeler-annex', name: 'Labeler annex' }, 'TwinCAT labeler retrofit', manager);
    app.plantModel.setLine({ id: 'L25', name: 'Labeler 1', tier: 3, site: 'labeler-annex' }, 'new labeler line commissioned', manager);
    expect(app.plantModel.lines().find((l) => l.id === 'L25')).toEqual({ id: 'L25', name: 'Labeler 1', tier: 3, site: 'labeler-annex' });
    app.plantModel.assignLine(controllerId, 'L25', 'labeler trial', manager);
    expect(() => app.plantModel.removeLine('L25', 'retired', manager)).toThrow(/Line L25 still has 1 controller on it \(PLC-L01-FILLER\)/);
    app.plantModel.assignLine(controllerId, 'L01', 'back on line 1', manager);
    app.plantModel.removeLine('L25', 'labeler moved to line 24', manager);
    expect(app.plantModel.lines().some((l) => l.id === 'L25')).toBe(false);
    expect(() => app.plantModel.removeLine('L25', 'again', manager)).toThrow(/There is no line L25/);
    expect(app.plantModel.view().sites.map((s) => s.id)).toEqual(['labeler-annex', 'midwest-packaging']);
  });

  it('the people roster: imported from CSV with a signature, edited one person at a time, rebuilt from the journal', () => {
    const roster = readFileSync(fileURLToPath(new URL('../../fixtures/roster/packaging-roster.csv', import.meta.url)), 'utf8');
    expect(() => app.plantModel.importRoster(roster, 'roster.csv', { employeeId: eng.employeeId, password: eng.password })).toThrow(
      /importing the people roster needs one of/,
    );
    expect(() => app.plantModel.importRoster(roster.replace(',plant-manager,', ',plant-mgr,'), 'roster.csv', manager)).toThrow(
      /roster\.csv line 8, roles: unknown role plant-mgr/,
    );
    expect(app.plantModel.roster()).toEqual([]);
    expect(app.plantModel.importRoster(roster, 'roster.csv', manager)).toHaveLength(7);
    expect(app.plantModel.roster().find((r) => r.employeeId === 'SV500')).toEqual({
      employeeId: 'SV500',
      name: 'Sky Supervisor',
      roles: ['shift-supervisor', 'controls-engineer'],
      site: 'midwest-packaging',
      active: true,
    });
    const sam = app.plantModel.roster().find((r) => r.employeeId === 'S300')!;
    expect(() => app.plantModel.setRosterEntry({ ...sam, roles: ['ot-security', 'chief'] }, 'r', manager)).toThrow(/Unknown role chief/);
    expect(() => app.plantModel.setRosterEntry({ ...sam, site: 'mars' }, 'r', manager)).toThrow(/There is no site mars/);
    expect(() => app.plantModel.setRosterEntry(sam, 'r', manager)).toThrow(/already reads exactly so/);
    app.plantModel.setRosterEntry({ ...sam, roles: ['ot-security', 'quality-compliance'] }, 'joined the CAB as quality deputy', manager);
    app.plantModel.setRosterEntry(
      { ...app.plantModel.roster().find((r) => r.employeeId === 'E101')!, active: false },
      'left the company',
      manager,
    );
    const e = app.journal.page(1)[0]!;
    expect(e.type).toBe('people.roster-set');
    expect(JSON.parse(e.payload)).toMatchObject({
      entry: { employeeId: 'E101', active: false },
      previous: { active: true },
      reason: 'left the company',
    });
    const before = app.plantModel.roster();
    app.journal.rebuildProjections();
    expect(app.plantModel.roster()).toEqual(before);
    // A re-import updates the people in the file and leaves the others as they are.
    app.plantModel.importRoster('employee_id,name,roles\nS300,Sam Security,ot-security\n', 'sam.csv', manager);
    expect(app.plantModel.roster().find((r) => r.employeeId === 'S300')!.roles).toEqual(['ot-security']);
    expect(app.plantModel.roster().find((r) => r.employeeId === 'E101')!.active).toBe(false);
  });

  it('revoking from the People screen needs the plant CA password', () => {
    expect(() => app.identity.revokeWithCa(eng.employeeId, 'moved to another plant', 'not-the-ca-password', app.actor())).toThrow(
      /password is wrong/,
    );
    expect(app.identity.personByEmployeeId(eng.employeeId).revoked).toBe(false);
    app.identity.revokeWithCa(eng.employeeId, 'moved to another plant', 'plant-ca-secret-1', app.actor());
    expect(() => app.identity.personByEmployeeId(eng.employeeId)).toThrow(/has no valid certificate/);
  });

  it('a plant file with controllers registers the new ones, places and flags them, and never re-points a registered one', () => {
    const file = readFileSync(fileURLToPath(new URL('../../fixtures/plant/plant-with-controllers.yaml', import.meta.url)), 'utf8');
    const before = app.journal.page(1)[0]!.rowid;
    expect(() => app.plantModel.importPlant(file.replace('port: 5020', 'port: 5021'), 'moved.yaml', manager)).toThrow(
      /moved\.yaml, controller PLC-L01-FILLER: it is registered as Modbus TCP 127\.0\.0\.1:5020 unit 1, the file says Modbus TCP 127\.0\.0\.1:5021 unit 1/,
    );
    expect(() => app.plantModel.importPlant(file.replace('profile: line1', 'profile: line9'), 'p.yaml', manager)).toThrow(
      /no capture profile "line9" is imported/,
    );
    expect(() => app.plantModel.importPlant(file.replace('line: L18', 'line: L19'), 'l.yaml', manager)).toThrow(
      /l\.yaml line \d+, controllers\.2\.line: there is no line L19 in this file/,
    );
    expect(
      app.journal
        .page(5)
        .filter((e) => e.rowid > before)
        .map((e) => e.type),
    ).toEqual([]);

    app.plantModel.importPlant(file, 'plant-with-controllers.yaml', manager);
    const types = app.journal
      .page(20)
      .filter((e) => e.rowid > before)
      .map((e) => e.type)
      .reverse();
    expect(types).toEqual([
      'plant.imported',
      'controller.line-assigned',
      'controller.registered',
      'controller.line-assigned',
      'controller.registered',
      'controller.line-assigned',
      'controller.safety-set',
    ]);
    const view = app.plantModel.view();
    const byName = new Map(app.controllers.list().map((c) => [c.name, c.id]));
    expect(view.controllerLines).toEqual({
      [byName.get('PLC-L01-FILLER')!]: 'L02',
      [byName.get('PLC-L02-CAPPER')!]: 'L02',
      [byName.get('SIS-L18-BURNER')!]: 'L18',
    });
    expect(view.safetyControllers).toEqual([byName.get('SIS-L18-BURNER')]);
    expect(app.controllers.get(byName.get('PLC-L02-CAPPER')!).description).toBe('S7 127.0.0.1:1102 rack 0 slot 1');
    // The same file again changes no controller.
    const again = app.journal.page(1)[0]!.rowid;
    app.plantModel.importPlant(file, 'plant-with-controllers.yaml', manager);
    expect(
      app.journal
        .page(5)
        .filter((e) => e.rowid > again)
        .map((e) => e.type),
    ).toEqual(['plant.imported']);
    app.plantModel.assignLine(controllerId, 'L01', 'back on line 1', manager);
  });

  it('a CSV import with two sites replaces the model; the projections rebuild to the same model from the journal', () => {
    // The burner controller is on L18: a file without L18 would leave it without a line, so it is refused.
    expect(() => app.plantModel.importPlant(twoSites, 'lines.csv', manager)).toThrow(
      /lines\.csv: controller SIS-L18-BURNER is on line L18, which the file leaves out/,
    );
    app.plantModel.importPlant(`${twoSites}south,,L18,Burner management,1\n`, 'lines.csv', manager);
    const model = { sites: app.plantModel.sites(), lines: app.plantModel.lines() };
    expect(model.sites).toEqual([
      { id: 'north', name: 'North plant' },
      { id: 'south', name: 'South plant' },
    ]);
    expect(model.lines.map((l) => `${l.id}:${l.site}:${l.tier}`)).toEqual(['L01:north:1', 'L02:north:2', 'L18:south:1', 'L20:south:3']);
    app.journal.rebuildProjections();
    expect({ sites: app.plantModel.sites(), lines: app.plantModel.lines() }).toEqual(model);
    expect(app.journalService.verifyQuietly().ok).toBe(true);
  });

  it('a store from before sites existed (schema 9) gets its site from its newest plant import when it is opened', () => {
    app.plantModel.importPlant(
      'schema: baseline.plant/1\nsite: { id: old-site, name: Old site }\nlines: [ { id: L01, name: Filler line, tier: 1 }, { id: L02, name: Capper, tier: 2 }, { id: L18, name: Burner, tier: 1 } ]\n',
      'old.yaml',
      manager,
    );
    app.close();
    const raw = new Database(join(t.home, DB_FILE));
    // Back to schema 9: undo migrations 10 (sites, roster), 11 (CA lockout column), 12 (sync state), 13 (retired
    // controllers), 14 (clock flags) and 15 (snapshot cosigners).
    raw.exec(
      'DROP TABLE plant_sites; DROP TABLE roster; ALTER TABLE trusted_cas DROP COLUMN locked_until; DROP TABLE sync_state; ALTER TABLE controllers DROP COLUMN retired_at; DROP TABLE clock_attestations; ALTER TABLE snapshots DROP COLUMN cosigners; PRAGMA user_version = 9;',
    );
    raw.close();
    app = open();
    expect(app.plantModel.sites()).toEqual([{ id: 'old-site', name: 'Old site' }]);
  });
});
