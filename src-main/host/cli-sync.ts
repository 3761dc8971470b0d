/**
 * `baseline sync enrol-request|enrol-response|export|import|import-ack|backup-folder|status` and `baseline restore`: sync by file on removable
 * media for air-gapped plants, and evidence backups (docs/air-gap.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BaselineError } from '../../src-shared/common/errors.ts';
import { writeFileAtomic } from '../../src-shared/node/atomic-file.ts';
import type { BundleKeyPair } from '../../src-shared/node/sync-bundle/bundle-envelope.ts';
import { BaselineApp } from '../services/baseline-app.ts';
import { restoreFromBackups } from '../services/bundle-restore.ts';
import { BUNDLE_KEY_FILE, readBundleKeyFile, waitingWords } from '../services/sync-bundle-service.ts';
import { protectionFromEnv } from '../services/data-directory-reader.ts';

interface Io {
  out(text: string): void;
}
type Flags = Record<string, string | boolean | string[] | undefined>;

function usage(message: string): never {
  throw new BaselineError('usage', message, 'Run `baseline --help` for the sync commands.');
}

function readInput(path: string | undefined, what: string): Buffer {
  if (!path) usage(`name the ${what} file to import`);
  if (!existsSync(path))
    throw new BaselineError('file-missing', `There is no file ${path}.`, `Check the path of the ${what} on the removable drive.`);
  return readFileSync(path);
}

/** `baseline sync …` on a laptop data directory. */
export async function syncCommand(
  command: string | undefined,
  file: string | undefined,
  values: Flags,
  home: string,
  io: Io,
): Promise<number> {
  if (!['export', 'import', 'import-ack', 'backup-folder', 'status', 'enrol-request', 'enrol-response'].includes(command ?? ''))
    usage(`unknown sync command "${command ?? ''}"`);
  const app = BaselineApp.open({ home, transport: 'cli', keyProtection: protectionFromEnv(), sync: { background: false } });
  try {
    const b = app.bundles;
    if (command === 'export') {
      const out = values['out'];
      if (typeof out !== 'string') usage('baseline sync export needs --out FILE (on the removable drive)');
      if (typeof values['to'] === 'string') b.setServerCertificate(readFileSync(values['to'], 'utf8'));
      const r = await b.exportBundle(resolve(out), { all: values['all'] === true });
      io.out(
        `Wrote ${r.file}: ${r.events} events${r.events > 0 ? ` (seq ${r.firstSeq} to ${r.lastSeq})` : ''} and ${r.blobs} content files, ${(r.bytes / 1e6).toFixed(1)} MB, encrypted to the server.\n` +
          '  Carry it to the server: `baseline server import FILE`, then bring back the .ack file: `baseline sync import-ack FILE.ack`.\n',
      );
      return 0;
    }
    if (command === 'enrol-request') {
      const out = values['out'];
      if (typeof values['code'] !== 'string')
        usage('baseline sync enrol-request needs --code CODE (the one-time code from `baseline server enrol-code`)');
      if (typeof out !== 'string') usage('baseline sync enrol-request needs --out FILE (on the removable drive)');
      const fingerprint = typeof values['fingerprint'] === 'string' ? values['fingerprint'] : null;
      const r = b.enrolRequest(values['code'], fingerprint);
      writeFileAtomic(resolve(out), r.bytes, 0o600);
      io.out(
        `Wrote the enrolment request ${resolve(out)} for this laptop (${app.deviceKey.name}, device ${app.deviceKey.deviceId}).\n` +
          '  Carry it to the server: `baseline server enrol-file FILE`, then bring back the response: `baseline sync enrol-response FILE.response`.\n',
      );
      return 0;
    }
    if (command === 'enrol-response') {
      const r = b.importEnrolResponse(readInput(file, 'enrolment response'), app.actor());
      io.out(r.message + '\n');
      return 0;
    }
    if (command === 'import-ack') {
      const r = b.importAck(readInput(file, 'acknowledgement'));
      io.out(r.message + '\n');
      return 0;
    }
    if (command === 'import') {
      // What the file is decides (a server bundle, an acknowledgement, an enrolment response), as in the app.
      const r = await b.importFile(readInput(file, 'bundle'), app.actor());
      io.out(r.message + '\n');
      return 0;
    }
    if (command === 'backup-folder') {
      const folder = file === undefined ? null : file === 'off' ? null : resolve(file);
      const s = file === undefined ? app.backup.status() : app.backup.setFolder(folder);
      io.out(
        s.folder
          ? `Evidence backups go to ${s.folder} (at every checkpoint signature and at the end of every change).\n`
          : 'Evidence backup is off.\n',
      );
      if (s.folder && !s.openableByServer)
        io.out(
          "  Note: the server's bundle certificate is not known yet, so a backup opens only with this laptop's key; run `baseline sync export --to server-bundle.pem` once.\n",
        );
      return 0;
    }
    const s = app.backup.status();
    const st = app.sync.status();
    io.out(
      `Server acknowledged this laptop's events up to seq ${st.acknowledgedSeq}; ${waitingWords(st.waiting)}.\n` +
        `Evidence backup: ${s.folder ?? 'off'}; last written ${s.lastBackupAt ?? 'never'}; ${s.notBackedUp} events not yet backed up.\n` +
        (s.lastError ? `  Last backup failed: ${s.lastError.message}\n  what to do: ${s.lastError.hint}\n` : ''),
    );
    return 0;
  } finally {
    await app.backup.stop();
    app.close();
  }
}

/** `baseline restore FILE... --home DIR [--key KEY.pem --cert CERT.pem | --bundle-key sync-bundle-key.json]`. */
export async function restoreCommand(files: string[], values: Flags, io: Io): Promise<number> {
  const home = values['home'];
  if (typeof home !== 'string') usage('baseline restore needs --home DIR (a new, empty folder)');
  const keys: BundleKeyPair[] = [];
  if (typeof values['key'] === 'string' || typeof values['cert'] === 'string') {
    if (typeof values['key'] !== 'string' || typeof values['cert'] !== 'string')
      usage("--key and --cert go together (the server's pki/bundle.key.pem and pki/bundle.pem)");
    keys.push({ keyPem: readFileSync(values['key'], 'utf8'), certPem: readFileSync(values['cert'], 'utf8') });
  }
  if (typeof values['bundle-key'] === 'string') {
    keys.push(readBundleKeyFile(values['bundle-key'], protectionFromEnv()));
  }
  if (keys.length === 0)
    usage(
      `baseline restore needs a key that opens the backups: --key/--cert (the server's bundle key) or --bundle-key (the laptop's ${BUNDLE_KEY_FILE})`,
    );
  const r = await restoreFromBackups(
    files.map((f) => resolve(f)),
    resolve(home),
    keys,
  );
  io.out(
    `Restored ${r.events} events of device ${r.deviceId}, ${r.otherEvents} events of other devices it held, and ${r.blobs} content files from ${r.files} backup file(s) into ${r.home}.\n` +
      (r.blobsOnServer > 0
        ? `  ${r.blobsOnServer} content files of events the server had acknowledged are not in the backups: the server holds them.\n`
        : '') +
      `  Journal ${r.verified ? 'verified: every hash, signature and chain link intact' : `FAILED verification (${r.problems} problems): run \`baseline journal verify --home ${r.home}\``}.\n`,
  );
  return r.verified ? 0 : 1;
}
