import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../../src-main/store/device-key-store.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const BIN = fileURLToPath(new URL('../../../bin/baseline.js', import.meta.url));
const sha = 'a'.repeat(64);

function cli(args: string[], stdin: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: stdin, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('people: enrolment, .p12, passwords at every signature, lockout', () => {
  let t: ReturnType<typeof tempHome>;
  let now: Date;
  let app: BaselineApp;
  beforeEach(() => {
    t = tempHome();
    now = new Date('2026-11-23T08:00:00Z');
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection, clock: () => now });
    app.identity.createCa('Plant 7 CA', 'plant-ca-secret-1', app.actor());
    app.identity.enrol(
      { name: 'Sam Okafor', employeeId: 'S77', roles: ['supervisor'], password: 'night-shift-77' },
      'plant-ca-secret-1',
      app.actor(),
    );
  });
  afterEach(() => {
    app.close();
    t.cleanup();
  });

  function failure(fn: () => unknown): BaselineError {
    try {
      fn();
    } catch (err) {
      if (err instanceof BaselineError) return err;
      throw err;
    }
    throw new Error('expected a refusal');
  }

  it('signs only with the right password, every time', () => {
    const sig = app.identity.sign('S77', 'night-shift-77', 'go', sha);
    expect(sig).toMatchObject({
      meaning: 'go',
      documentSha256: sha,
      signer: { name: 'Sam Okafor', employeeId: 'S77', roles: ['supervisor'] },
    });
    expect(failure(() => app.identity.sign('S77', 'night-shift-78', 'go', sha)).code).toBe('wrong-password');
  });

  it('records wrong passwords and locks the identity after three, until the lock expires', () => {
    for (let i = 1; i <= 2; i++) {
      const e = failure(() => app.identity.sign('S77', 'wrong', 'go', sha));
      expect(e.message).toContain(`(${i} of 3 attempts)`);
    }
    const locked = failure(() => app.identity.sign('S77', 'wrong', 'go', sha));
    expect(locked.code).toBe('identity-locked');
    expect(locked.message).toMatch(/Wrong password 3 times: signing as Sam Okafor is locked on this laptop until 2026-11-23T08:30:00.000Z/);
    // Even the right password is refused while locked…
    expect(failure(() => app.identity.sign('S77', 'night-shift-77', 'go', sha)).code).toBe('identity-locked');
    // …the attempts are in the signed journal…
    const types = [...app.journal.events()].map((e) => e.type);
    expect(types.filter((x) => x === 'person.signing-failed')).toHaveLength(3);
    expect(types).toContain('person.locked');
    expect(app.journalService.verifyQuietly().ok).toBe(true);
    // …and after the lock time the right password works again.
    now = new Date('2026-11-23T08:31:00Z');
    expect(app.identity.sign('S77', 'night-shift-77', 'go', sha).meaning).toBe('go');
  });

  it('exports and imports a .p12; refuses a wrong password, a file that is not PKCS#12, and an untrusted issuer', () => {
    const p12 = join(t.home, 'sam.p12');
    const sam = app.identity.personByEmployeeId('S77');
    writeFileSync(p12, app.identity.exportP12(sam.fingerprint));
    const other = tempHome();
    const app2 = BaselineApp.open({ home: other.home, transport: 'in-process', keyProtection: filePermissionsProtection });
    try {
      expect(failure(() => app2.identity.importP12(readFileSync(p12), 'night-shift-77', app2.actor())).code).toBe('p12-untrusted');
      app2.identity.trustCa(app.identity.trust().caPems[0]!, null, app2.actor()); // the first CA of a laptop that trusts none
      expect(failure(() => app2.identity.importP12(readFileSync(p12), 'nope-nope', app2.actor())).code).toBe('wrong-password');
      expect(failure(() => app2.identity.importP12(Buffer.from('not a keystore at all'), 'x', app2.actor())).code).toBe('p12-not-pkcs12');
      const imported = app2.identity.importP12(readFileSync(p12), 'night-shift-77', app2.actor());
      expect(imported.fingerprint).toBe(sam.fingerprint);
      expect(app2.identity.sign('S77', 'night-shift-77', 'reviewed', sha).signer.fingerprint).toBe(sam.fingerprint);
    } finally {
      app2.close();
      other.cleanup();
    }
  });

  it('the CLI enrols with passwords asked for (one per stdin line) and never takes them as arguments', () => {
    app.close();
    const home = join(t.home);
    const r = cli(
      ['people', 'enrol', '--name', 'Lee Chen', '--employee-id', 'L5', '--roles', 'approver,compliance', '--home', home],
      'plant-ca-secret-1\nquality-first-5\nquality-first-5\n',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Enrolled Lee Chen \(L5, approver, compliance\)/);
    const mismatch = cli(
      ['people', 'enrol', '--name', 'X', '--employee-id', 'X9', '--roles', 'engineer', '--home', home],
      'plant-ca-secret-1\naaaaaaaaaa\nbbbbbbbbbb\n',
    );
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/two passwords differ/);
    const list = cli(['people', 'list', '--home', home], '');
    expect(list.stdout).toMatch(/L5\s+Lee Chen\s+approver,compliance\s+valid/);
    app = BaselineApp.open({ home: t.home, transport: 'in-process', keyProtection: filePermissionsProtection });
  });
});
