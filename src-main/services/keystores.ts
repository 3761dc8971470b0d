/**
 * The keystores on this laptop (the plant CA's and each person's PKCS#12 file, each under its own password) and
 * unlocking them under the lockout (21 CFR 11.300(d)): every wrong password is journalled, and too many within
 * the window lock that key on this laptop for a while, so a password cannot be guessed at machine speed. The
 * identity service (identity-service.ts) signs and enrols with what they give.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import { sha256Hex } from '../../src-shared/node/hash.ts';
import { openP12 } from '../../src-shared/node/pki.ts';
import type { IdentityRepository, PersonRow } from '../store/identity-repository.ts';
import type { JournalRepository } from '../store/journal-repository.ts';

/** Lockout policy (set by the plant's policy; these are the defaults). */
export interface LockoutPolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

/** Defaults: 3 wrong passwords within 15 minutes lock signing for 30 minutes. */
export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 3, windowMs: 15 * 60_000, lockMs: 30 * 60_000 };

/** A decrypted keystore. */
type OpenedKeystore = { certPem: string; keyPem: string };

/** Opens the keystores, counting wrong passwords against the lockout. */
export class Keystores {
  /** Keystores opened during `openedOnce`, by file and password hash; null otherwise (the normal case). */
  private opened: Map<string, OpenedKeystore> | null = null;

  private readonly home: string;
  private readonly journal: JournalRepository;
  private readonly repo: IdentityRepository;
  private readonly lockoutOf: () => LockoutPolicy;
  private readonly clock: () => Date;

  constructor(home: string, journal: JournalRepository, repo: IdentityRepository, lockoutOf: () => LockoutPolicy, clock: () => Date) {
    this.home = home;
    this.journal = journal;
    this.repo = repo;
    this.lockoutOf = lockoutOf;
    this.clock = clock;
  }

  /** The plant CA's keystore file (present only on the laptop that created the CA). */
  get caFile(): string {
    return join(this.home, 'keys', 'plant-ca.p12');
  }

  /** A person's keystore file, by certificate fingerprint. */
  personFile(fingerprint: string): string {
    return join(this.home, 'keys', 'people', `${fingerprint}.p12`);
  }

  /**
   * Runs bulk work with each keystore decrypted once per file and password instead of at every signature:
   * node-forge's PKCS#12 decryption takes a quarter of a second. A wrong password still fails (the cache is keyed
   * by the password's hash); the cache is dropped when the work ends.
   */
  async openedOnce<T>(work: () => Promise<T>): Promise<T> {
    this.opened = new Map();
    try {
      return await work();
    } finally {
      this.opened = null;
    }
  }

  private open(file: string, password: string): OpenedKeystore {
    if (this.opened === null) return openP12(readFileSync(file), password);
    const key = `${file}\0${sha256Hex(password)}`;
    let ks = this.opened.get(key);
    if (!ks) {
      ks = openP12(readFileSync(file), password);
      this.opened.set(key, ks);
    }
    return ks;
  }

  /**
   * Opens `file`; on a wrong password, records it (`recordFailure`) and counts the failures of `fingerprint` within
   * the window: at the limit the key is locked (`lock` records it and gives the error), else `wrong` gives the error.
   */
  private openCounted(
    file: string,
    password: string,
    fingerprint: string,
    now: Date,
    on: {
      recordFailure: () => void;
      lock: (failures: number, until: string) => BaselineError;
      wrong: (failures: number, max: number) => BaselineError;
    },
  ): OpenedKeystore {
    try {
      return this.open(file, password);
    } catch (err) {
      if (!(err instanceof BaselineError && err.code === 'wrong-password')) throw err;
      on.recordFailure();
      const lockout = this.lockoutOf();
      const failures = this.repo.failuresSince(fingerprint, new Date(now.getTime() - lockout.windowMs).toISOString());
      if (failures >= lockout.maxFailures) throw on.lock(failures, new Date(now.getTime() + lockout.lockMs).toISOString());
      throw on.wrong(failures, lockout.maxFailures);
    }
  }

  /**
   * Opens a person's keystore for one signature (the caller checked their lock and certificate). A wrong password
   * is recorded; too many within the window lock signing for this person on this laptop.
   */
  openPerson(person: PersonRow, password: string): OpenedKeystore {
    const actor: Actor = { kind: 'person', id: person.employeeId, name: person.name };
    const { fingerprint, employeeId } = person;
    return this.openCounted(this.personFile(fingerprint), password, fingerprint, this.clock(), {
      recordFailure: () => this.journal.append('person.signing-failed', { fingerprint, employeeId, reason: 'wrong-password' }, actor),
      lock: (failures, until) => {
        this.journal.append('person.locked', { fingerprint, employeeId, until, failures }, actor);
        return new BaselineError(
          'identity-locked',
          `Wrong password ${failures} times: signing as ${person.name} is locked on this laptop until ${until}.`,
          'Wait until then; the attempts are recorded in the audit trail.',
          { until },
        );
      },
      wrong: (failures, max) =>
        new BaselineError(
          'wrong-password',
          `The password for ${person.name} is wrong (${failures} of ${max} attempts).`,
          'Type it again carefully; after too many wrong attempts signing is locked for a while.',
        ),
    });
  }

  /**
   * Opens the local plant CA's keystore with its password, under the same lockout as people's signatures: every wrong
   * password (and every attempt while locked) is journalled, and too many within the window lock the CA key on this
   * laptop, so the CA password cannot be guessed at machine speed.
   */
  openLocalCa(caPassword: string, operation: 'enrol' | 'revoke', actor: Actor): { keyPem: string; certPem: string } {
    const local = this.repo.trustedCas().find((c) => c.source === 'created-here');
    if (!local) {
      throw new BaselineError(
        'ca-missing',
        'This laptop holds a plant CA keystore, but its journal records no CA created here.',
        'Run `baseline journal verify`; restore the data directory from a backup.',
      );
    }
    const now = this.clock();
    const lockedUntil = this.repo.caLockedUntil(local.fingerprint);
    if (lockedUntil && new Date(lockedUntil) > now) {
      this.journal.append('ca.unlock-failed', { fingerprint: local.fingerprint, operation, reason: 'locked' }, actor);
      throw new BaselineError(
        'ca-locked',
        `The plant CA "${local.name}" is locked on this laptop until ${lockedUntil} after repeated wrong CA passwords.`,
        'Wait until then; every attempt is recorded in the audit trail.',
        { until: lockedUntil },
      );
    }
    return this.openCounted(this.caFile, caPassword, local.fingerprint, now, {
      recordFailure: () =>
        this.journal.append('ca.unlock-failed', { fingerprint: local.fingerprint, operation, reason: 'wrong-password' }, actor),
      lock: (failures, until) => {
        this.journal.append('ca.locked', { fingerprint: local.fingerprint, until, failures }, actor);
        return new BaselineError(
          'ca-locked',
          `Wrong plant CA password ${failures} times: the plant CA "${local.name}" is locked on this laptop until ${until}.`,
          'Wait until then; the attempts are recorded in the audit trail.',
          { until },
        );
      },
      wrong: (failures, max) =>
        new BaselineError(
          'wrong-password',
          `The plant CA password is wrong (${failures} of ${max} attempts).`,
          'Type it again carefully; after too many wrong attempts the CA is locked for a while.',
        ),
    });
  }
}
