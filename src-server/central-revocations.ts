/**
 * Central revocation of a device or a person (`baseline server revoke-device|revoke-person`): the server signs a
 * statement with the plant CA's key and keeps it; every laptop receives it on its next pull
 * (src-shared/common/sync/central-revocation.ts). The server itself refuses, from then on, a revoked device's
 * requests and any pushed event that carries a revoked person's signature made after the revocation.
 */
import { v7 as uuidv7 } from 'uuid';
import { BaselineError } from '../src-shared/common/errors.ts';
import { revocationStatement, revocationWords, type CentralRevocation } from '../src-shared/common/sync/central-revocation.ts';
import { signWithKey } from '../src-shared/node/pki.ts';
import type { ServerPki } from './server-home.ts';
import type { SyncStore } from './store/sync-store.ts';

/** Revokes a device (by id) or a person (by employee id or certificate fingerprint); returns what was revoked. */
export async function revokeCentrally(
  store: SyncStore,
  pki: ServerPki,
  kind: 'device' | 'person',
  who: string,
  reason: string,
  now = new Date(),
): Promise<{ revocation: CentralRevocation; name: string }[]> {
  if (reason.trim().length < 5)
    throw new BaselineError(
      'revocation-reason-missing',
      'A revocation needs its reason.',
      'Add --reason "…" (for example "laptop lost" or "left the company").',
    );
  let subjects: { subject: string; name: string }[];
  if (kind === 'device') {
    const device = await store.device(who);
    if (!device)
      throw new BaselineError(
        'device-unknown',
        `No device "${who}" is enrolled with this server.`,
        'Give the device id as the server lists it (the laptop shows it under Sync).',
      );
    subjects = [{ subject: device.device_id, name: device.name }];
  } else if (/^[0-9a-f]{64}$/.test(who)) {
    subjects = [{ subject: who, name: who.slice(0, 16) }];
  } else {
    const people = await store.personFingerprints(who);
    if (people.length === 0)
      throw new BaselineError(
        'person-unknown',
        `No certificate of employee "${who}" has reached this server.`,
        'Give the employee id as the roster has it, or the certificate fingerprint (64 hex digits).',
      );
    subjects = people.map((p) => ({ subject: p.fingerprint, name: p.name }));
  }
  const out: { revocation: CentralRevocation; name: string }[] = [];
  for (const s of subjects) {
    const fields = { id: uuidv7(), kind, subject: s.subject, reason: reason.trim(), revokedAt: now.toISOString() };
    const statement = revocationStatement(fields);
    out.push({
      revocation: await store.addRevocation({ ...fields, statement, signature: signWithKey(pki.caKeyPem, statement) }),
      name: s.name,
    });
  }
  return out;
}

/** The refusal of a revoked device's request, or null. */
export function deviceRevocation(revocations: readonly CentralRevocation[], deviceId: string, name: string): BaselineError | null {
  const r = revocations.find((x) => x.kind === 'device' && x.subject === deviceId);
  if (!r) return null;
  return Object.assign(
    new BaselineError(
      'device-revoked',
      `${revocationWords(r, `${name} (${deviceId})`)}: the server takes nothing more from it.`,
      'Nothing this laptop recorded before the revocation is lost on the server. Hand the laptop to the administrator; it must be re-enrolled as a new device to sync again.',
      { revokedAt: r.revokedAt },
    ),
    { statusCode: 403 },
  );
}
