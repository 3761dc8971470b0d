/**
 * What arrives from the central server (a pulled page, or a server's bundle), checked before anything is stored:
 * central revocations and clock attestations must carry the plant CA's signature, and a device's events count only
 * with a certificate that chains to the plant CA and binds the key the device announced.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { statementMatches, type CentralRevocation } from '../../src-shared/common/sync/central-revocation.ts';
import { readClockAttestation, type ClockAttestation } from '../../src-shared/common/sync/clock-flags.ts';
import type { PullResponse } from '../../src-shared/common/sync/sync-protocol.ts';
import { publicKeyFromPem } from '../../src-shared/node/ed25519.ts';
import { verifyWithCertificate } from '../../src-shared/node/pki.ts';
import { checkDeviceCertificate } from '../../src-shared/node/plant-certificates.ts';
import type { DeviceKey } from '../store/device-key-store.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { SyncRepository } from '../store/sync-repository.ts';
import type { IdentityService } from './identity-service.ts';

/** A device's public key, as checked arriving events are verified with. */
export type DeviceKeyObject = NonNullable<ReturnType<typeof publicKeyFromPem>>;

/** What checking and keeping arrivals needs. */
export interface ArrivalDeps {
  journal: JournalRepository;
  repo: SyncRepository;
  deviceKey: DeviceKey;
  identity: IdentityService;
  clock: () => Date;
}

/**
 * Records the central revocations this laptop lacks, each checked first: the statement must say what its fields
 * say and carry the plant CA's signature. A person's revocation also revokes their certificate here. Returns every
 * revocation now on record.
 */
export function recordRevocations(deps: ArrivalDeps, received: readonly CentralRevocation[], caPem: string): CentralRevocation[] {
  const held = deps.repo.syncedRevocations();
  const actor: Actor = { kind: 'device', id: deps.deviceKey.deviceId, name: deps.deviceKey.name };
  for (const r of received) {
    if (held.some((h) => h.id === r.id)) continue;
    if (!statementMatches(r) || !verifyWithCertificate(caPem, r.statement, r.signature)) {
      throw new BaselineError(
        'revocation-signature-invalid',
        `The server sent a revocation of ${r.kind} ${r.subject.slice(0, 16)} that the plant CA did not sign.`,
        "Nothing from it was recorded. Tell the administrator: the server's copy is damaged or forged.",
      );
    }
    deps.journal.append('revocation.synced', { ...r }, actor);
    if (r.kind === 'person' && !deps.identity.trust().revokedFingerprints.has(r.subject)) {
      deps.journal.append(
        'certificate.revoked',
        { fingerprint: r.subject, reason: `revoked centrally at ${r.revokedAt}: ${r.reason}` },
        actor,
      );
    }
    held.push(r);
  }
  return held;
}

/**
 * Keeps the clock attestations this laptop lacks, each checked first: its statement must be a well-formed
 * attestation of its own id, signed by the plant CA. Every laptop (the one whose clock was off included) keeps
 * each one, so the flag stands beside the event wherever the event is, and evidence packs carry it.
 */
export function recordClockFlags(deps: ArrivalDeps, received: readonly ClockAttestation[], caPem: string): void {
  if (received.length === 0) return;
  const held = new Set(deps.repo.clockAttestations().map((a) => a.id));
  for (const a of received) {
    if (held.has(a.id)) continue;
    if (readClockAttestation(a) === null || !verifyWithCertificate(caPem, a.statement, a.signature)) {
      throw new BaselineError(
        'clock-flags-signature-invalid',
        `The server sent clock flags (${a.id.slice(0, 13)}…) that the plant CA did not sign, or that do not read as clock flags.`,
        "Nothing from them was recorded. Tell the administrator: the server's copy is damaged or forged.",
      );
    }
    deps.repo.addClockAttestation(a, deps.clock().toISOString());
    held.add(a.id);
  }
}

/** Keys of the devices in a pulled page (or a server's bundle) whose certificates chain to the plant CA and bind the key they announced. */
export function trustedDeviceKeys(
  deps: ArrivalDeps,
  page: Pick<PullResponse, 'devices'>,
  enrolmentCa: string,
): Map<string, DeviceKeyObject> {
  const caPems = [enrolmentCa, ...deps.identity.trust().caPems];
  const revoked = deps.identity.trust().revokedFingerprints;
  const keys = new Map<string, DeviceKeyObject>();
  for (const d of page.devices) {
    const check = checkDeviceCertificate(
      d.certificatePem,
      { deviceId: d.deviceId, publicKeyPem: d.publicKeyPem },
      caPems,
      revoked,
      deps.clock(),
    );
    const known = deps.repo.knownDeviceKey(d.deviceId);
    const key = publicKeyFromPem(d.publicKeyPem);
    if (!check.ok || !key) continue;
    if (known !== null && !publicKeyFromPem(known)?.equals(key)) continue;
    keys.set(d.deviceId, key);
  }
  return keys;
}
