/**
 * Revocation that travels by sync (ARCHITECTURE §8-9): the server's administrator revokes a device or a person
 * (`baseline server revoke-device|revoke-person`); the server signs a statement with the plant CA's key, and every
 * laptop receives it on pull, checks the signature against the plant CA it enrolled with, and records it in its
 * journal (`revocation.synced`, and `certificate.revoked` for a person). From then on, events signed by that device
 * or person after the revocation are refused by the server and by every laptop, with the reason.
 */
import * as z from 'zod';
import { canonicalJson } from '../canonical-json.ts';
import type { EventProblem } from '../journal-event.ts';
import { signaturesIn } from './journal-conflicts.ts';

/** A revocation as it travels: its fields, the exact statement the plant CA signed, and the signature (base64). */
export const CentralRevocationSchema = z
  .object({
    id: z.string().min(1).max(100),
    kind: z.enum(['device', 'person']),
    /** The device id, or the person's certificate fingerprint. */
    subject: z.string().min(1).max(200),
    reason: z.string().min(1).max(2000),
    revokedAt: z.string().max(64),
    statement: z.string().max(5000),
    signature: z.string().max(2000),
  })
  .strict();
/** A revocation as it travels. */
export type CentralRevocation = z.infer<typeof CentralRevocationSchema>;

/** The text the plant CA signs for a revocation. */
export function revocationStatement(r: {
  id: string;
  kind: 'device' | 'person';
  subject: string;
  reason: string;
  revokedAt: string;
}): string {
  return canonicalJson({
    schema: 'baseline.revocation/1',
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    reason: r.reason,
    revokedAt: r.revokedAt,
  });
}

/** Whether the statement says exactly what the record's fields say (the signature is checked separately). */
export function statementMatches(r: CentralRevocation): boolean {
  return r.statement === revocationStatement(r);
}

/** How a refusal names a revocation ("Device X was revoked centrally at T (reason)"). */
export function revocationWords(r: { kind: string; subject: string; reason: string; revokedAt: string }, name?: string): string {
  const who = r.kind === 'device' ? `Device ${name ?? r.subject}` : (name ?? `The person's certificate ${r.subject.slice(0, 16)}…`);
  return `${who} was revoked centrally at ${r.revokedAt} (${r.reason})`;
}

/** Problems of an event that carries the signature of a person revoked before that signature was made. */
export function revokedSignerProblems(
  e: { device: string; seq: number; payload: string },
  revocations: readonly CentralRevocation[],
): EventProblem[] {
  const people = revocations.filter((r) => r.kind === 'person');
  if (people.length === 0 || !people.some((r) => e.payload.includes(r.subject))) return [];
  let payload: unknown;
  try {
    payload = JSON.parse(e.payload);
  } catch {
    return [];
  }
  for (const sig of signaturesIn(payload)) {
    const r = people.find((x) => x.subject === sig.fingerprint && sig.at >= x.revokedAt);
    if (r) {
      return [
        {
          device: e.device,
          seq: e.seq,
          kind: 'signer-revoked',
          message: `it carries a signature by ${sig.signerName} made at ${sig.at}, after ${revocationWords(r, sig.signerName)}`,
        },
      ];
    }
  }
  return [];
}

/** Problems of an event recorded by a device after that device was revoked. */
export function revokedDeviceProblems(
  e: { device: string; seq: number; at: string },
  revocations: readonly CentralRevocation[],
): EventProblem[] {
  const r = revocations.find((x) => x.kind === 'device' && x.subject === e.device && e.at >= x.revokedAt);
  return r
    ? [{ device: e.device, seq: e.seq, kind: 'device-revoked', message: `it was recorded at ${e.at}, after ${revocationWords(r)}` }]
    : [];
}
