/** `baseline people …` and `baseline snapshot verify`: people's keys and offline snapshot verification. */
import { readFileSync, writeFileSync } from 'node:fs';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { verifySnapshotBytes, type TrustStore } from '../../src-shared/node/snapshot-verifier.ts';
import type { Role } from '../../src-shared/node/pki.ts';
import { BaselineApp } from '../services/baseline-app.ts';
import { DataDirectoryReader, protectionFromEnv } from '../services/data-directory-reader.ts';
import { askSecret } from './secret-prompt.ts';

type Flags = Record<string, string | boolean | string[] | undefined>;

interface Io {
  out(text: string): void;
  err(text: string): void;
}

function need(flags: Flags, name: string, what: string): string {
  const v = flags[name];
  if (typeof v !== 'string' || v.trim() === '')
    throw new BaselineError('usage', `--${name} is required: ${what}.`, 'Run `baseline --help`.');
  return v.trim();
}

async function newPassword(whose: string): Promise<string> {
  const a = await askSecret(`New password for ${whose}: `);
  const b = await askSecret('Repeat it: ');
  if (a !== b)
    throw new BaselineError('password-mismatch', 'The two passwords differ.', 'Run the command again and type the same password twice.');
  return a;
}

/** `baseline people <command>`. */
export async function peopleCommand(command: string | undefined, flags: Flags, home: string, io: Io): Promise<number> {
  const app = BaselineApp.open({ home, transport: 'cli', keyProtection: protectionFromEnv() });
  try {
    const actor = app.actor();
    switch (command) {
      case 'create-ca': {
        const name = need(flags, 'name', 'the CA\'s name, e.g. "Plant 7 CA"');
        const ca = app.identity.createCa(name, await newPassword('the plant CA'), actor);
        const out = typeof flags['out'] === 'string' ? flags['out'] : null;
        if (out) writeFileSync(out, ca.certificatePem);
        io.out(`Plant CA "${name}" created (certificate SHA-256 ${ca.fingerprint}).${out ? ` Certificate written to ${out}.` : ''}\n`);
        return 0;
      }
      case 'trust-ca': {
        const file = need(flags, 'cert', 'the plant CA certificate (PEM)');
        let pem: string;
        try {
          pem = readFileSync(file, 'utf8');
        } catch {
          throw new BaselineError('ca-unreadable', `The file ${file} cannot be read.`, 'Check the path of the plant CA certificate.');
        }
        const signerId = typeof flags['signer'] === 'string' && flags['signer'].trim() !== '' ? flags['signer'].trim() : null;
        const signer = signerId
          ? { employeeId: signerId, password: await askSecret(`Password of ${signerId} (signing for plant engineering): `) }
          : null;
        const ca = app.identity.trustCa(pem, signer, actor);
        io.out(
          `Trusting plant CA "${ca.name}" (SHA-256 ${ca.fingerprint})${ca.signedBy ? `, signed by ${ca.signedBy} for plant engineering` : ''}.\n`,
        );
        return 0;
      }
      case 'enrol': {
        const known = app.policy.knownRoles().map((r) => r.id);
        const roles = need(flags, 'roles', `comma-separated, from: ${known.join(', ')}`)
          .split(',')
          .map((r) => r.trim());
        const bad = roles.filter((r) => !known.includes(r));
        if (bad.length)
          throw new BaselineError('usage', `Unknown role ${bad.join(', ')}.`, `Use roles of the plant policy: ${known.join(', ')}.`);
        const name = need(flags, 'name', "the person's full name");
        const employeeId = need(flags, 'employee-id', 'their employee id');
        const caPassword = await askSecret('Plant CA password: ');
        const password = await newPassword(name);
        const p = app.identity.enrol({ name, employeeId, roles: roles as Role[], password }, caPassword, actor);
        io.out(`Enrolled ${p.name} (${p.employeeId}, ${p.roles.join(', ')}); certificate SHA-256 ${p.fingerprint}.\n`);
        return 0;
      }
      case 'import': {
        const file = need(flags, 'p12', 'the .p12 keystore');
        const p = app.identity.importP12(readFileSync(file), await askSecret(`Password of ${file}: `), actor);
        io.out(`Imported ${p.name} (${p.employeeId}); certificate SHA-256 ${p.fingerprint}.\n`);
        return 0;
      }
      case 'export': {
        const p = app.identity.personByEmployeeId(need(flags, 'employee-id', 'whose keystore'));
        const out = need(flags, 'out', 'the .p12 file to write');
        writeFileSync(out, app.identity.exportP12(p.fingerprint), { mode: 0o600 });
        io.out(`Wrote ${p.name}'s keystore to ${out} (still protected by their password).\n`);
        return 0;
      }
      case 'revoke': {
        const p = app.identity.personByEmployeeId(need(flags, 'employee-id', 'whose certificate'));
        app.identity.revoke(p.fingerprint, need(flags, 'reason', 'why, for the record'), actor);
        io.out(`Revoked ${p.name}'s certificate ${p.fingerprint}.\n`);
        return 0;
      }
      case 'list':
      case undefined: {
        for (const p of app.identity.people()) {
          const state = p.revoked
            ? 'REVOKED'
            : p.lockedUntil && new Date(p.lockedUntil) > new Date()
              ? `locked until ${p.lockedUntil}`
              : 'valid';
          io.out(`${p.employeeId.padEnd(12)} ${p.name.padEnd(28)} ${p.roles.join(',').padEnd(28)} ${state}\n`);
        }
        return 0;
      }
      default:
        throw new BaselineError(
          'usage',
          `Unknown people command "${command}".`,
          'Use create-ca, trust-ca, enrol, import, export, revoke or list.',
        );
    }
  } finally {
    app.close();
  }
}

/** Trust from a data directory's trusted CAs and revocations, plus any CA files given. */
export function trustFor(home: string | null, caFiles: string[]): TrustStore {
  const caPems = caFiles.map((f) => readFileSync(f, 'utf8'));
  let revoked = new Set<string>();
  if (home) {
    const reader = DataDirectoryReader.open(home);
    try {
      const trust = reader.trust();
      caPems.push(...trust.caPems);
      revoked = trust.revokedFingerprints;
    } finally {
      reader.close();
    }
  }
  return { caPems, revokedFingerprints: revoked };
}

/** `baseline snapshot verify FILE`: exit 0 valid, 1 anything else. */
export function snapshotVerifyCommand(file: string | undefined, flags: Flags, home: string | null, io: Io): number {
  if (!file) throw new BaselineError('usage', 'No snapshot file was given.', 'Run `baseline snapshot verify FILE.json`.');
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new BaselineError('snapshot-unreadable', `The file ${file} cannot be read.`, 'Check the path.');
  }
  const trust = trustFor(home, typeof flags['ca'] === 'string' ? [flags['ca']] : []);
  const v = verifySnapshotBytes(bytes, trust);
  if (flags['json']) {
    io.out(JSON.stringify(v) + '\n');
  } else {
    const head =
      v.state === 'valid'
        ? 'VALID'
        : v.state === 'unsigned'
          ? 'UNSIGNED (not evidence)'
          : v.state === 'unreadable'
            ? 'UNREADABLE'
            : 'INVALID';
    io.out(`${head}: ${file}${v.controller ? ` (${v.controller})` : ''}${v.sha256 ? `, document SHA-256 ${v.sha256}` : ''}\n`);
    for (const s of v.signers) io.out(`  ${s.valid ? 'ok ' : 'BAD'} ${s.meaning} by ${s.name} (${s.employeeId}) at ${s.at}\n`);
    for (const p of v.problems) io.out(`  - ${p}\n`);
  }
  return v.valid ? 0 : 1;
}
