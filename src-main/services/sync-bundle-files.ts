/**
 * The files sync by file keeps beside the data directory: the sealed bundle key file, and the evidence backup
 * folder with the bundles in it (checked before use: absolute, an existing writable folder). Part of the sync by
 * file service (sync-bundle-service.ts).
 */
import { accessSync, constants, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import { BUNDLE_SUFFIX, type BundleKeyPair } from '../../src-shared/node/sync-bundle/bundle-envelope.ts';
import type { KeyProtection } from '../store/device-key-store.ts';

/** The laptop's bundle key file. */
export const BUNDLE_KEY_FILE = 'sync-bundle-key.json';

/** The bundle key file: the certificate, and the private key sealed as the device key is. */
interface BundleKeyFile {
  format: 'baseline.bundle-key/2';
  certPem: string;
  protection: KeyProtection['kind'];
  sealedKey: string;
}

export function writeBundleKeyFile(path: string, pair: BundleKeyPair, protection: KeyProtection): void {
  const file: BundleKeyFile = {
    format: 'baseline.bundle-key/2',
    certPem: pair.certPem,
    protection: protection.kind,
    sealedKey: protection.seal(pair.keyPem),
  };
  writeFileAtomic(path, JSON.stringify(file, null, 1) + '\n', 0o600);
}

/**
 * Reads a laptop's bundle key file (its own, or a copy given to `baseline restore --bundle-key`), unsealing the
 * private key with `protection`; without the secret that sealed it the key cannot be used.
 */
export function readBundleKeyFile(path: string, protection: KeyProtection): BundleKeyPair {
  let file: Partial<Omit<BundleKeyFile, 'format'>> & { format?: string; keyPem?: unknown };
  try {
    file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
  } catch {
    throw new BaselineError(
      'bundle-key-unreadable',
      `The bundle key file ${path} is not readable JSON.`,
      `Use the ${BUNDLE_KEY_FILE} from the laptop's data directory.`,
    );
  }
  if (file.format === 'baseline.bundle-key/1' && typeof file.keyPem === 'string' && typeof file.certPem === 'string')
    return { certPem: file.certPem, keyPem: file.keyPem };
  if (file.format !== 'baseline.bundle-key/2' || typeof file.certPem !== 'string' || typeof file.sealedKey !== 'string') {
    throw new BaselineError(
      'bundle-key-unreadable',
      `The bundle key file ${path} has an unknown format (${String(file.format)}).`,
      `Use the ${BUNDLE_KEY_FILE} from the laptop's data directory.`,
    );
  }
  if (file.protection !== protection.kind) {
    throw new BaselineError(
      'bundle-key-protection-mismatch',
      `The bundle key in ${path} is sealed by "${file.protection}", but this program offers "${protection.kind}": it cannot be used without the secret that sealed it.`,
      file.protection === 'os-keychain'
        ? "Open it with the Baseline desktop app on the computer that created it, or restore with the server's bundle key (--key/--cert)."
        : file.protection === 'passphrase'
          ? "Set BASELINE_DEVICE_KEY_PASSPHRASE to the laptop's device-key passphrase."
          : 'Open it with the same kind of Baseline program that created it.',
    );
  }
  let keyPem: string;
  try {
    keyPem = protection.open(file.sealedKey);
  } catch (err) {
    if (err instanceof BaselineError && err.code === 'device-key-locked') {
      throw new BaselineError(
        'bundle-key-locked',
        `The bundle key in ${path} could not be unlocked with the given passphrase.`,
        'Set BASELINE_DEVICE_KEY_PASSPHRASE to the passphrase of the laptop that wrote it.',
      );
    }
    throw err;
  }
  return { certPem: file.certPem, keyPem };
}

/** Refuses a backup folder that is not an absolute path to an existing folder this program can write to. */
export function backupFolderProblem(folder: string): void {
  if (!isAbsolute(folder)) {
    throw new BaselineError(
      'backup-folder-not-absolute',
      `"${folder}" is not a full path to a folder.`,
      'Type the whole path, e.g. /media/usb-backup or E:\\baseline-backup.',
    );
  }
  let isDir: boolean;
  try {
    isDir = statSync(folder).isDirectory();
  } catch {
    throw new BaselineError(
      'backup-folder-missing',
      `There is no folder ${folder}.`,
      'Plug in the drive, or create the folder first, then choose it again. The setting was not changed.',
    );
  }
  if (!isDir)
    throw new BaselineError(
      'backup-folder-not-folder',
      `${folder} is a file, not a folder.`,
      'Choose the folder on the removable drive. The setting was not changed.',
    );
  try {
    accessSync(folder, constants.W_OK);
    const probe = join(folder, `.baseline-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (err) {
    throw new BaselineError(
      'backup-folder-read-only',
      `Baseline cannot write to ${folder} (${(err as NodeJS.ErrnoException).code ?? 'no permission'}): the drive is write-protected or the folder is not yours.`,
      'Unlock the drive (write-protect switch) or choose another folder. The setting was not changed.',
    );
  }
}

/** Backup files in a folder, oldest first (by their names: device, seq, time). */
export function backupFilesIn(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => f.startsWith('baseline-backup-') && f.endsWith(BUNDLE_SUFFIX))
    .sort()
    .map((f) => join(folder, f));
}

/** Whether a name looks like a bundle file (for messages). */
export function isBundleName(path: string): boolean {
  return basename(path).endsWith(BUNDLE_SUFFIX);
}
