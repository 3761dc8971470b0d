/**
 * `baseline server import|export|bundle-cert|enrol-file`: the server's side of sync by file (docs/air-gap.md). These open the
 * data directory and database directly; a running server may keep serving meanwhile (SQLite's single writer and
 * PostgreSQL's row locks serialise the import with pushes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BaselineError } from '../src-shared/common/errors.ts';
import { writeFileAtomic } from '../src-shared/node/atomic-file.ts';
import { enrolFromFile } from './enrol-file.ts';
import { exportDeviceBundle, importDeviceBundle, serverBundleKey } from './bundle-import.ts';
import { defaultServerNames, prepareServerHome } from './server-home.ts';
import { openServerDatabase } from './store/server-database.ts';
import { SyncStore } from './store/sync-store.ts';

/** Options the bundle commands read. */
export interface BundleCliOptions {
  home: string;
  postgresUrl: string | null;
  file?: string | undefined;
  out?: string | undefined;
  device?: string | undefined;
  after?: string | undefined;
  ackOut?: string | undefined;
}

/** Runs one bundle command; returns the exit code. */
export async function runBundleCommand(
  command: 'import' | 'export' | 'bundle-cert' | 'enrol-file',
  o: BundleCliOptions,
  out: (t: string) => void,
): Promise<number> {
  const pki = prepareServerHome(o.home, defaultServerNames());
  if (command === 'bundle-cert') {
    const { certPem } = serverBundleKey(o.home, pki);
    if (o.out) {
      writeFileAtomic(resolve(o.out), certPem, 0o644);
      out(`Wrote the server's bundle certificate to ${resolve(o.out)}; on a laptop: \`baseline sync export --to FILE --out BUNDLE\`.\n`);
    } else {
      out(certPem);
    }
    return 0;
  }
  const database = await openServerDatabase(o.postgresUrl ? { postgresUrl: o.postgresUrl } : { sqlitePath: join(o.home, 'server.db') });
  try {
    const store = new SyncStore(database);
    if (command === 'enrol-file') {
      if (!o.file)
        throw new BaselineError(
          'usage',
          'baseline server enrol-file needs the REQUEST file.',
          'Name the file the laptop wrote with `baseline sync enrol-request`.',
        );
      if (!existsSync(o.file))
        throw new BaselineError('file-missing', `There is no file ${o.file}.`, 'Check the path on the removable drive.');
      const r = await enrolFromFile({ home: o.home, store, pki, bytes: readFileSync(o.file) });
      const responsePath = resolve(o.out ?? `${o.file}.response`);
      writeFileAtomic(responsePath, r.response, 0o644);
      out(
        `${r.message}\n  Response written to ${responsePath}: carry it back and run \`baseline sync enrol-response ${responsePath}\` on the laptop.\n`,
      );
      return 0;
    }
    if (command === 'import') {
      if (!o.file)
        throw new BaselineError(
          'usage',
          'baseline server import needs the bundle FILE.',
          'Name the file the laptop wrote with `baseline sync export`.',
        );
      if (!existsSync(o.file))
        throw new BaselineError('file-missing', `There is no file ${o.file}.`, 'Check the path on the removable drive.');
      const r = await importDeviceBundle({ home: o.home, store, pki, bytes: readFileSync(o.file) });
      const ackPath = resolve(o.ackOut ?? `${o.file}.ack`);
      writeFileAtomic(ackPath, r.ack, 0o644);
      out(
        `${r.message}\n  Acknowledgement written to ${ackPath}: carry it back and run \`baseline sync import-ack ${ackPath}\` on the laptop.\n`,
      );
      return r.refusal ? 1 : 0;
    }
    if (!o.device)
      throw new BaselineError(
        'usage',
        'baseline server export needs --device ID.',
        'Use the device id the laptop shows under Sync (or in the central view).',
      );
    if (!o.out) throw new BaselineError('usage', 'baseline server export needs --out FILE.', 'Name a file on the removable drive.');
    const after = o.after === undefined ? undefined : Number(o.after);
    if (after !== undefined && (!Number.isSafeInteger(after) || after < 0))
      throw new BaselineError(
        'usage',
        `--after must be a server position (a whole number), not ${o.after}.`,
        "Leave it out to continue from where the laptop's last bundle said it stands.",
      );
    const r = await exportDeviceBundle({ home: o.home, store, pki, deviceId: o.device, ...(after !== undefined ? { after } : {}) });
    writeFileAtomic(resolve(o.out), r.bytes, 0o600);
    out(
      `Wrote ${resolve(o.out)}: ${r.events} events from other devices (server positions ${r.after + 1} to ${r.cursor}) and ${r.blobs} content files, encrypted to device ${r.deviceId}.\n` +
        '  On the laptop: `baseline sync import FILE`.\n',
    );
    return 0;
  } finally {
    await database.close();
  }
}
