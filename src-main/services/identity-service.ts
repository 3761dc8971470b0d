/**
 * People and their keys (issue #4): the plant CA (created here for a stand-alone plant, or its certificate
 * imported), enrolment with an X.509 certificate and a password-protected PKCS#12 keystore, .p12 import and
 * export, revocation, and e-signatures that ask for the password every time (21 CFR 11.200) with wrong
 * passwords recorded and repeated failures locking the identity on this laptop (11.300(d)).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { MIN_PASSWORD_LENGTH } from '../../src-shared/common/workflow/workflow-terms.ts';
import { canonicalJson } from '../../src-shared/common/canonical-json.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { signatureStatement, type ESignature, type SignatureMeaning } from '../../src-shared/common/snapshot/snapshot.ts';
import {
  BUILT_IN_ROLES,
  caCertificateProblem,
  certificateFingerprint,
  certificateProblem,
  createCa,
  issuePerson,
  openP12,
  signWithKey,
  subjectOf,
  toP12,
  type Role,
} from '../../src-shared/node/pki.ts';
import forge from 'node-forge';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import type { TrustStore } from '../../src-shared/node/snapshot-verifier.ts';
import { writeFileAtomic } from '../store/atomic-file.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { IdentityRepository, PersonRow } from '../store/identity-repository.ts';
import { DEFAULT_LOCKOUT, Keystores, type LockoutPolicy } from './keystores.ts';

export { DEFAULT_LOCKOUT, type LockoutPolicy } from './keystores.ts';

const MIN_PASSWORD = MIN_PASSWORD_LENGTH;

/** Roles that decide for plant engineering: the plant model, policy adoption, and which plant CAs are trusted. */
export const PLANT_ENGINEERING: readonly string[] = ['plant-engineering-manager', 'admin'];

/** Who signs a decision, with their password (asked for at every signature). */
export interface DecisionSigner {
  employeeId: string;
  password: string;
}

function checkPassword(password: string, whose: string): void {
  if (password.length < MIN_PASSWORD) {
    throw new BaselineError(
      'password-too-short',
      `${whose} password must have at least ${MIN_PASSWORD} characters.`,
      'Choose a longer password (a short sentence works well).',
    );
  }
}

/** Manages people's keys and signs on their behalf, one signature per password entry. */
export class IdentityService {
  private readonly home: string;
  private readonly journal: JournalRepository;
  private readonly repo: IdentityRepository;
  private readonly lockoutOf: () => LockoutPolicy;
  private readonly clock: () => Date;

  private readonly knownRoles: () => string[];
  private readonly keystores: Keystores;

  constructor(
    home: string,
    journal: JournalRepository,
    repo: IdentityRepository,
    lockout: LockoutPolicy | (() => LockoutPolicy) = DEFAULT_LOCKOUT,
    clock: () => Date = () => new Date(),
    knownRoles: () => string[] = () => [...BUILT_IN_ROLES],
  ) {
    this.knownRoles = knownRoles;
    this.home = home;
    this.journal = journal;
    this.repo = repo;
    // A function: the policy in force can change (a newly adopted policy sets new thresholds).
    this.lockoutOf = typeof lockout === 'function' ? lockout : () => lockout;
    this.clock = clock;
    this.keystores = new Keystores(home, journal, repo, this.lockoutOf, clock);
  }

  /**
   * Runs bulk work (the demo plant's creation) with each keystore decrypted once per file and password instead of at
   * every signature (keystores.ts).
   */
  withKeystoresOpenedOnce<T>(work: () => Promise<T>): Promise<T> {
    return this.keystores.openedOnce(work);
  }

  /** Trust anchors for verifying signatures offline. */
  trust(): TrustStore {
    return { caPems: this.repo.trustedCas().map((c) => c.certificatePem), revokedFingerprints: this.repo.revoked() };
  }

  /** The plant CA certificates this laptop trusts, with their names. */
  trustedCaCertificates(): { name: string; certificatePem: string }[] {
    return this.repo.trustedCas().map(({ name, certificatePem }) => ({ name, certificatePem }));
  }

  /** Creates the plant CA on this laptop (stand-alone plant); its key is kept in a keystore under the CA password. */
  createCa(name: string, caPassword: string, actor: Actor): { fingerprint: string; certificatePem: string } {
    if (existsSync(this.keystores.caFile)) {
      throw new BaselineError(
        'ca-exists',
        'This laptop already holds a plant CA.',
        "Use the existing CA; a second one would split the plant's trust.",
      );
    }
    checkPassword(caPassword, 'The CA');
    const ca = createCa(name, 10, this.clock());
    mkdirSync(join(this.home, 'keys', 'people'), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.keystores.caFile, toP12(ca.keyPem, ca.certPem, [], caPassword, name), 0o600);
    const fingerprint = certificateFingerprint(ca.certPem);
    this.journal.append('ca.trusted', { name, certificatePem: ca.certPem, fingerprint, source: 'created-here' }, actor);
    return { fingerprint, certificatePem: ca.certPem };
  }

  /**
   * Trusts a plant CA certificate (PEM), e.g. on a laptop that only verifies. It must be a CA certificate
   * (basicConstraints cA:true, keyUsage keyCertSign) and in date. Trusting one is a decision of plant engineering,
   * signed with the signer's password and journalled; only the first CA of a laptop that trusts none yet is taken
   * without a signature, since nobody here could sign before it (like the device key, pinned at first use).
   */
  trustCa(
    certificatePem: string,
    signer: DecisionSigner | null,
    actor: Actor,
  ): { fingerprint: string; name: string; signedBy: string | null } {
    let cert: forge.pki.Certificate;
    let subject;
    try {
      cert = forge.pki.certificateFromPem(certificatePem);
      subject = subjectOf(certificatePem);
    } catch {
      throw new BaselineError(
        'ca-unreadable',
        'The file is not a PEM certificate.',
        'Export the plant CA certificate as PEM (-----BEGIN CERTIFICATE-----) and import that.',
      );
    }
    const notCa = caCertificateProblem(cert);
    if (notCa) {
      throw new BaselineError(
        'ca-not-a-ca',
        `"${subject.name}" cannot be trusted as a plant CA: ${notCa}.`,
        "Import the plant CA's own certificate (written by `baseline people create-ca --out`, or given by the plant's PKI), never a person's certificate.",
      );
    }
    const now = this.clock();
    if (now < cert.validity.notBefore || now > cert.validity.notAfter) {
      throw new BaselineError(
        'ca-out-of-date',
        `"${subject.name}" is not valid now (valid ${cert.validity.notBefore.toISOString()} to ${cert.validity.notAfter.toISOString()}).`,
        "Import the plant CA's current certificate.",
      );
    }
    const trusted = this.repo.trustedCas();
    if (trusted.some((c) => c.fingerprint === subject.fingerprint))
      return { fingerprint: subject.fingerprint, name: subject.name, signedBy: null };
    let decision: { signature: ESignature; actor: Actor } | null = null;
    if (trusted.length > 0 || signer) {
      if (!signer) {
        throw new BaselineError(
          'signer-required',
          `This laptop already trusts ${trusted.map((c) => `"${c.name}"`).join(', ')}; trusting "${subject.name}" as well is a decision of plant engineering.`,
          `Have a person holding ${PLANT_ENGINEERING.join(' or ')} sign it (\`baseline people trust-ca --cert FILE --signer EMPLOYEE_ID\`, which asks for their password).`,
        );
      }
      decision = this.signAsPlantEngineering(signer, `trusting the plant CA "${subject.name}"`, {
        schema: 'baseline.ca-trust/1',
        fingerprint: subject.fingerprint,
        name: subject.name,
        certificateSha256: sha256Hex(certificatePem),
      });
    }
    this.journal.append(
      'ca.trusted',
      {
        name: subject.name,
        certificatePem,
        fingerprint: subject.fingerprint,
        source: 'imported',
        ...(decision ? { signature: decision.signature } : {}),
      },
      decision?.actor ?? actor,
    );
    return { fingerprint: subject.fingerprint, name: subject.name, signedBy: decision?.signature.signer.name ?? null };
  }

  /**
   * Signs a plant-engineering decision: the signer must hold a plant-engineering role; the signature ("approved")
   * covers the canonical JSON of `document`. Returns the signature and the signer as the event's actor.
   */
  signAsPlantEngineering(signer: DecisionSigner, what: string, document: unknown): { signature: ESignature; actor: Actor } {
    const person = this.personByEmployeeId(signer.employeeId);
    if (!person.roles.some((r) => PLANT_ENGINEERING.includes(r))) {
      throw new BaselineError(
        'role-not-held',
        `${person.name} holds ${person.roles.join(', ') || 'no role'}; ${what} needs one of ${PLANT_ENGINEERING.join(', ')}.`,
        'Ask the plant engineering manager to sign it.',
      );
    }
    const signature = this.sign(signer.employeeId, signer.password, 'approved', sha256Hex(canonicalJson(document)));
    return { signature, actor: { kind: 'person', id: person.employeeId, name: person.name } };
  }

  /** Issues a person's certificate with the local CA and stores their keystore under their own password. */
  enrol(who: { name: string; employeeId: string; roles: Role[]; password: string }, caPassword: string, actor: Actor): PersonRow {
    if (!existsSync(this.keystores.caFile))
      throw new BaselineError(
        'ca-missing',
        'This laptop holds no plant CA key, so it cannot issue certificates.',
        "Create the plant CA here, or import the person's .p12 issued elsewhere.",
      );
    checkPassword(who.password, "The person's");
    const known = this.knownRoles();
    const unknown = who.roles.filter((r) => !known.includes(r));
    if (who.roles.length === 0 || unknown.length > 0) {
      throw new BaselineError(
        'unknown-role',
        who.roles.length === 0 ? 'A person needs at least one role.' : `Unknown role ${unknown.join(', ')}.`,
        `Roles are the plant policy's: ${known.join(', ')}.`,
      );
    }
    if (this.repo.people().some((p) => p.employeeId === who.employeeId && !p.revoked)) {
      throw new BaselineError(
        'person-exists',
        `Employee ${who.employeeId} already has a valid certificate here.`,
        'Revoke the old certificate first if it must be replaced.',
      );
    }
    const ca = this.keystores.openLocalCa(caPassword, 'enrol', actor);
    const issued = issuePerson(
      { certPem: ca.certPem, keyPem: ca.keyPem },
      { name: who.name, employeeId: who.employeeId, roles: who.roles },
      3,
      this.clock(),
    );
    const fingerprint = certificateFingerprint(issued.certPem);
    writeFileAtomic(
      this.keystores.personFile(fingerprint),
      toP12(issued.keyPem, issued.certPem, [ca.certPem], who.password, who.name),
      0o600,
    );
    this.journal.append(
      'person.enrolled',
      { name: who.name, employeeId: who.employeeId, roles: who.roles, certificatePem: issued.certPem, fingerprint, source: 'issued-here' },
      actor,
    );
    return this.person(fingerprint);
  }

  /** Imports a person's .p12 issued by a trusted CA (the password proves possession). */
  importP12(bytes: Uint8Array, password: string, actor: Actor): PersonRow {
    const opened = openP12(bytes, password);
    const problem = certificateProblem(opened.certPem, this.trust().caPems, this.repo.revoked(), this.clock());
    if (problem)
      throw new BaselineError(
        'p12-untrusted',
        `The keystore cannot be used here: ${problem}.`,
        "Import the plant CA certificate first, or use a keystore issued by this plant's CA.",
      );
    const s = subjectOf(opened.certPem);
    mkdirSync(join(this.home, 'keys', 'people'), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.keystores.personFile(s.fingerprint), Buffer.from(bytes), 0o600);
    if (!this.repo.people().some((p) => p.fingerprint === s.fingerprint)) {
      this.journal.append(
        'person.enrolled',
        {
          name: s.name,
          employeeId: s.employeeId,
          roles: s.roles,
          certificatePem: opened.certPem,
          fingerprint: s.fingerprint,
          source: 'imported',
        },
        actor,
      );
    }
    return this.person(s.fingerprint);
  }

  /** The keystore file of a person (still protected by their password). */
  exportP12(fingerprint: string): Buffer {
    this.person(fingerprint);
    return readFileSync(this.keystores.personFile(fingerprint));
  }

  /** Revokes a certificate on this laptop. */
  revoke(fingerprint: string, reason: string, actor: Actor): void {
    this.person(fingerprint);
    this.journal.append('certificate.revoked', { fingerprint, reason }, actor);
  }

  /**
   * Revokes a person's valid certificate from the People screen: only the holder of the plant CA on this laptop may
   * (the CA password proves it). Laptops that only trust a CA revoke from the CLI until central sync distributes
   * revocations.
   */
  revokeWithCa(employeeId: string, reason: string, caPassword: string, actor: Actor): void {
    if (!existsSync(this.keystores.caFile))
      throw new BaselineError(
        'ca-missing',
        'This laptop holds no plant CA key, so it cannot revoke certificates here.',
        'Revoke on the laptop that holds the plant CA, or with `baseline people revoke`.',
      );
    const person = this.personByEmployeeId(employeeId);
    this.keystores.openLocalCa(caPassword, 'revoke', actor);
    this.revoke(person.fingerprint, reason, actor);
  }

  /** Whether this laptop holds the plant CA's key (and so can enrol people). */
  hasLocalCa(): boolean {
    return existsSync(this.keystores.caFile);
  }

  /** Trusted plant CAs. */
  cas(): { fingerprint: string; name: string; source: string }[] {
    return this.repo.trustedCas().map(({ fingerprint, name, source }) => ({ fingerprint, name, source }));
  }

  /** Everyone enrolled here. */
  people(): PersonRow[] {
    return this.repo.people();
  }

  /** One person by certificate fingerprint. */
  person(fingerprint: string): PersonRow {
    const p = this.repo.people().find((x) => x.fingerprint === fingerprint);
    if (!p)
      throw new BaselineError(
        'person-unknown',
        `No person with certificate ${fingerprint.slice(0, 12)}… is enrolled on this laptop.`,
        'Enrol the person, or import their .p12.',
      );
    return p;
  }

  /** The person signing, as the actor of what they sign (the one place a signer becomes an actor). */
  signingActor(employeeId: string): Actor {
    const p = this.personByEmployeeId(employeeId);
    return { kind: 'person', id: p.employeeId, name: p.name };
  }

  /** Enrols a person and returns them as the People screen lists them (without the certificate text). */
  enrolView(
    who: { name: string; employeeId: string; roles: Role[]; password: string },
    caPassword: string,
    actor: Actor,
  ): Omit<PersonRow, 'certificatePem'> {
    const { certificatePem: _pem, ...person } = this.enrol(who, caPassword, actor);
    return person;
  }

  /** The current (not revoked) certificate of an employee. */
  personByEmployeeId(employeeId: string): PersonRow {
    const p = this.repo
      .people()
      .filter((x) => x.employeeId === employeeId && !x.revoked)
      .at(-1);
    if (!p)
      throw new BaselineError(
        'person-unknown',
        `Employee ${employeeId} has no valid certificate on this laptop.`,
        'Enrol them, import their .p12, or check the employee id.',
      );
    return p;
  }

  /**
   * Signs a document hash as a person, unlocking their keystore with the password for this one signature.
   * A wrong password is recorded; too many within the window lock signing for this person on this laptop.
   */
  sign(employeeId: string, password: string, meaning: SignatureMeaning, documentSha256: string): ESignature {
    const person = this.personByEmployeeId(employeeId);
    const now = this.clock();
    if (person.lockedUntil && new Date(person.lockedUntil) > now) {
      throw new BaselineError(
        'identity-locked',
        `Signing as ${person.name} is locked on this laptop until ${person.lockedUntil} after repeated wrong passwords.`,
        'Wait until then, or ask the plant administrator to check the failed attempts recorded in the audit trail.',
        { until: person.lockedUntil },
      );
    }
    const problem = certificateProblem(person.certificatePem, this.trust().caPems, this.repo.revoked(), now);
    if (problem)
      throw new BaselineError(
        'signer-invalid',
        `${person.name} cannot sign: ${problem}.`,
        'Use a valid certificate issued by the plant CA.',
      );
    const keyPem = this.keystores.openPerson(person, password).keyPem;
    const at = now.toISOString();
    const statement = canonicalJson(signatureStatement({ documentSha256, meaning, at, signerFingerprint: person.fingerprint }));
    return {
      meaning,
      signer: {
        name: person.name,
        employeeId: person.employeeId,
        roles: person.roles,
        fingerprint: person.fingerprint,
        certificatePem: person.certificatePem,
      },
      at,
      documentSha256,
      algorithm: 'RSASSA-PKCS1-v1_5-SHA256',
      value: signWithKey(keyPem, statement),
    };
  }
}
