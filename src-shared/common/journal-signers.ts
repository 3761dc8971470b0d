/**
 * Who signed a journal event: the people whose personal e-signatures are inside its payload (the decision's signer,
 * its co-signers, the approver of a baseline, the signer of a snapshot). The event's actor is who recorded it (for an
 * unsigned event, the session or operating-system user); the Audit trail attributes decisions to their signers.
 */

/** One personal signature found in an event. */
export interface EventSigner {
  name: string;
  /** Null when the event names the signer by certificate fingerprint only (a snapshot). */
  employeeId: string | null;
  fingerprint: string;
  /** 'signer' for the decision's own signature, 'co-signer' for a witness or override approver. */
  as: 'signer' | 'co-signer';
}

type SignatureLike = { signer?: { name?: unknown; employeeId?: unknown; fingerprint?: unknown } };

function fromSignature(sig: unknown, as: EventSigner['as']): EventSigner | null {
  const s = (sig as SignatureLike | null)?.signer;
  if (!s || typeof s.name !== 'string' || typeof s.employeeId !== 'string' || typeof s.fingerprint !== 'string') return null;
  return { name: s.name, employeeId: s.employeeId, fingerprint: s.fingerprint, as };
}

/** The signers of an event, in the order the payload holds them (none for an unsigned event). */
export function signersOf(type: string, payload: unknown): EventSigner[] {
  if (payload === null || typeof payload !== 'object') return [];
  const p = payload as Record<string, unknown>;
  if (type === 'snapshot.captured' && typeof p['signer'] === 'string' && typeof p['signerFingerprint'] === 'string') {
    return [{ name: p['signer'], employeeId: null, fingerprint: p['signerFingerprint'], as: 'signer' }];
  }
  const out: EventSigner[] = [];
  for (const key of ['signature', 'approval']) {
    const s = fromSignature(p[key], 'signer');
    if (s) out.push(s);
  }
  if (Array.isArray(p['cosignatures'])) {
    for (const c of p['cosignatures']) {
      const s = fromSignature(c, 'co-signer');
      if (s) out.push(s);
    }
  }
  return out;
}
