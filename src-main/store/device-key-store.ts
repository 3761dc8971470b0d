/**
 * The device key: an Ed25519 key created at first start that signs every journal event of this data directory.
 *
 * The device signs without asking anyone, so its private key is protected by the platform (ARCHITECTURE §3):
 * under Electron by `safeStorage` (OS keychain / DPAPI), elsewhere by a passphrase when
 * BASELINE_DEVICE_KEY_PASSPHRASE is set, or else only by file permissions (0600), which docs/security.md
 * states as the weaker protection it is.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { generateEd25519, privateKeyFromPem, signText } from '../../src-shared/node/ed25519.ts';
import { writeFileAtomic } from './atomic-file.ts';

/** How the private key is sealed at rest. */
export interface KeyProtection {
  readonly kind: 'os-keychain' | 'passphrase' | 'file-permissions';
  seal(privateKeyPem: string): string;
  open(sealed: string): string;
}

/** No encryption: the key file is readable only by its owner (0600). The weakest protection; documented. */
export const filePermissionsProtection: KeyProtection = {
  kind: 'file-permissions',
  seal: (pem) => pem,
  open: (sealed) => sealed,
};

/** PKCS#8 encrypted with a passphrase (PBES2, AES-256-CBC) via node:crypto. */
export function passphraseProtection(passphrase: string): KeyProtection {
  return {
    kind: 'passphrase',
    seal: (pem) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString(),
    open: (sealed) => {
      try {
        return createPrivateKey({ key: sealed, passphrase }).export({ type: 'pkcs8', format: 'pem' }).toString();
      } catch {
        throw new BaselineError(
          'device-key-locked',
          'The device key could not be unlocked with the given passphrase.',
          'Set BASELINE_DEVICE_KEY_PASSPHRASE to the passphrase this data directory was created with.',
        );
      }
    },
  };
}

/** The protection for a process outside Electron, chosen from the environment. */
export function protectionFromEnv(env: NodeJS.ProcessEnv = process.env): KeyProtection {
  const p = env['BASELINE_DEVICE_KEY_PASSPHRASE'];
  return p ? passphraseProtection(p) : filePermissionsProtection;
}

/** The on-disk key file (format `baseline.device-key/1`). */
interface DeviceKeyFile {
  format: 'baseline.device-key/1';
  deviceId: string;
  name: string;
  algorithm: 'Ed25519';
  publicKeyPem: string;
  protection: KeyProtection['kind'] | typeof RESTORED_PUBLIC_KEY_ONLY;
  privateKey: string;
  createdAt: string;
}

/** The protection `baseline restore` writes: the public key only, so the rebuilt store verifies but cannot sign. */
export const RESTORED_PUBLIC_KEY_ONLY = 'restored-public-key-only';

/** An unlocked device key (or, for a directory rebuilt from backups, a public key that refuses to sign). */
export interface DeviceKey {
  readonly deviceId: string;
  readonly name: string;
  readonly publicKeyPem: string;
  readonly protection: KeyProtection['kind'] | typeof RESTORED_PUBLIC_KEY_ONLY;
  readonly createdAt: string;
  sign(text: string): string;
}

/** File name of the device key inside a data directory. */
export const DEVICE_KEY_FILE = 'device-key.json';

/** The refusal every signature meets in a data directory rebuilt from backups. */
export function restoredDirectoryError(name: string, deviceId: string): BaselineError {
  return new BaselineError(
    'data-directory-restored',
    `This data directory was rebuilt from evidence backups of ${name} (device ${deviceId}): it can be read and verified, but it cannot sign, because the backups hold that laptop's public key only.`,
    'It is open read-only. To record new work, enrol this laptop as a new device: start Baseline on a new, empty data directory and enrol it with a one-time code (online or by file). The rebuilt directory stays as the record of what the lost laptop held.',
    { deviceId },
  );
}

function unlock(file: DeviceKeyFile, protection: KeyProtection): DeviceKey {
  if (file.protection === RESTORED_PUBLIC_KEY_ONLY) {
    return {
      deviceId: file.deviceId,
      name: file.name,
      publicKeyPem: file.publicKeyPem,
      protection: RESTORED_PUBLIC_KEY_ONLY,
      createdAt: file.createdAt,
      sign: () => {
        throw restoredDirectoryError(file.name, file.deviceId);
      },
    };
  }
  if (file.protection !== protection.kind) {
    throw new BaselineError(
      'device-key-protection-mismatch',
      `This data directory's device key is protected by "${file.protection}", but this program offers "${protection.kind}".`,
      file.protection === 'os-keychain'
        ? 'Open this data directory with the Baseline desktop app on the computer that created it.'
        : file.protection === 'passphrase'
          ? 'Set BASELINE_DEVICE_KEY_PASSPHRASE to the passphrase this data directory was created with.'
          : 'Open it with the same kind of Baseline program that created it.',
    );
  }
  const key: KeyObject = privateKeyFromPem(protection.open(file.privateKey));
  return {
    deviceId: file.deviceId,
    name: file.name,
    publicKeyPem: file.publicKeyPem,
    protection: file.protection,
    createdAt: file.createdAt,
    sign: (text) => signText(key, text),
  };
}

/** Reads the device key file without unlocking it (public parts only), or null when absent. */
export function readDevicePublicKey(home: string): { deviceId: string; publicKeyPem: string } | null {
  const path = join(home, DEVICE_KEY_FILE);
  if (!existsSync(path)) return null;
  return parseKeyFile(path);
}

function parseKeyFile(path: string): DeviceKeyFile {
  let file: DeviceKeyFile;
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as DeviceKeyFile;
  } catch {
    throw new BaselineError(
      'device-key-unreadable',
      `The device key file ${path} is not readable JSON.`,
      'Restore it from the backup of this data directory. Without it this laptop cannot sign new events.',
    );
  }
  if (file.format !== 'baseline.device-key/1' || typeof file.deviceId !== 'string' || typeof file.publicKeyPem !== 'string') {
    throw new BaselineError(
      'device-key-unreadable',
      `The device key file ${path} has an unknown format (${String(file.format)}).`,
      'Use the Baseline version that created this data directory, or restore the file from a backup.',
    );
  }
  return file;
}

/** Loads this data directory's device key, or creates it when `create` allows (first start). */
export function loadOrCreateDeviceKey(
  home: string,
  protection: KeyProtection,
  create: boolean,
  now = new Date(),
): { key: DeviceKey; created: boolean } {
  const path = join(home, DEVICE_KEY_FILE);
  if (existsSync(path)) return { key: unlock(parseKeyFile(path), protection), created: false };
  if (!create) {
    throw new BaselineError(
      'device-key-missing',
      `The device key file ${path} is missing, but this data directory already has a journal.`,
      'Restore device-key.json from the backup of this data directory. A new key would break the signed chain, so Baseline will not make one.',
    );
  }
  const pair = generateEd25519();
  const file: DeviceKeyFile = {
    format: 'baseline.device-key/1',
    deviceId: uuidv7(),
    name: hostname(),
    algorithm: 'Ed25519',
    publicKeyPem: pair.publicKeyPem,
    protection: protection.kind,
    privateKey: protection.seal(pair.privateKeyPem),
    createdAt: now.toISOString(),
  };
  writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', 0o600);
  chmodSync(path, 0o600);
  return { key: unlock(file, protection), created: true };
}
