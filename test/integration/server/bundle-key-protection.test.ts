/**
 * The laptop's RSA bundle key is sealed like the device key: with the device-key passphrase here (the OS keychain
 * under Electron). A copy of sync-bundle-key.json without that secret opens no backup; with it, the backup restores.
 * The laptop is enrolled by file (no server listening), as an air-gapped one is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineApp } from '../../../src-main/services/baseline-app.ts';
import { BUNDLE_KEY_FILE, backupFilesIn, readBundleKeyFile } from '../../../src-main/services/sync-bundle-service.ts';
import { filePermissionsProtection, passphraseProtection } from '../../../src-main/store/device-key-store.ts';
import { runCli } from '../../../src-main/host/cli.ts';
import { createEnrolCode } from '../../../src-server/sync-operations.ts';
import { enrolFromFile } from '../../../src-server/enrol-file.ts';
import { prepareServerHome, defaultServerNames } from '../../../src-server/server-home.ts';
import { openServerStore } from '../../helpers/sync-fixture.ts';
import { tempHome } from '../../helpers/temp-home.ts';

const PASSPHRASE = 'correct horse battery';

describe('the laptop bundle key is sealed like the device key', () => {
  const laptop = tempHome('baseline-sealed-laptop-');
  const server = tempHome('baseline-sealed-server-');
  const usb = tempHome('baseline-sealed-usb-');
  let app: BaselineApp;

  beforeAll(async () => {
    app = BaselineApp.open({
      home: laptop.home,
      transport: 'in-process',
      keyProtection: passphraseProtection(PASSPHRASE),
      sync: { background: false },
    });
    const srv = await openServerStore(server.home, null);
    try {
      const pki = prepareServerHome(server.home, defaultServerNames());
      const { code } = await createEnrolCode(srv.store, 3_600_000);
      const request = app.bundles.enrolRequest(code, pki.caFingerprint).bytes;
      const { response } = await enrolFromFile({ home: server.home, store: srv.store, pki, bytes: request });
      app.bundles.importEnrolResponse(response, app.actor());
    } finally {
      await srv.close();
    }
  }, 60_000);
  afterAll(() => {
    app?.close();
    for (const t of [laptop, server, usb]) t.cleanup();
  });

  it('stores the private key sealed, and a copy of the file without the passphrase cannot open a backup', async () => {
    const text = readFileSync(join(laptop.home, BUNDLE_KEY_FILE), 'utf8');
    expect(text).toContain('ENCRYPTED PRIVATE KEY');
    expect(text).not.toContain('BEGIN PRIVATE KEY');
    expect(text).not.toContain('BEGIN RSA PRIVATE KEY');
    // A backup written to the stick, and the key file copied off the laptop.
    mkdirSync(join(usb.home, 'backups'));
    app.backup.setFolder(join(usb.home, 'backups'));
    await app.backup.soon();
    const [backup] = backupFilesIn(join(usb.home, 'backups'));
    expect(backup).toBeDefined();
    const copy = join(usb.home, 'copied-bundle-key.json');
    copyFileSync(join(laptop.home, BUNDLE_KEY_FILE), copy);

    expect(() => readBundleKeyFile(copy, filePermissionsProtection)).toThrow(/sealed by "passphrase".*cannot be used without the secret/);
    expect(() => readBundleKeyFile(copy, passphraseProtection('a guess'))).toThrow(expect.objectContaining({ code: 'bundle-key-locked' }));

    const restoreWith = async (passphrase: string | undefined, into: string) => {
      const saved = process.env['BASELINE_DEVICE_KEY_PASSPHRASE'];
      if (passphrase === undefined) delete process.env['BASELINE_DEVICE_KEY_PASSPHRASE'];
      else process.env['BASELINE_DEVICE_KEY_PASSPHRASE'] = passphrase;
      const out: string[] = [];
      try {
        const code = await runCli(['restore', backup!, '--bundle-key', copy, '--home', into], {
          out: (t) => {
            out.push(t);
          },
          err: (t) => {
            out.push(t);
          },
        });
        return { code, text: out.join('') };
      } finally {
        if (saved === undefined) delete process.env['BASELINE_DEVICE_KEY_PASSPHRASE'];
        else process.env['BASELINE_DEVICE_KEY_PASSPHRASE'] = saved;
      }
    };
    const without = await restoreWith(undefined, join(usb.home, 'restored-1'));
    expect(without.code).not.toBe(0);
    expect(without.text).toMatch(/sealed by "passphrase"/);
    const wrong = await restoreWith('a guess', join(usb.home, 'restored-2'));
    expect(wrong.code).not.toBe(0);
    expect(wrong.text).toMatch(/could not be unlocked/);
    const right = await restoreWith(PASSPHRASE, join(usb.home, 'restored-3'));
    expect(right.text).toMatch(/Journal verified/);
    expect(right.code).toBe(0);
  });

  it('seals a key file written before keys were sealed on its next use', () => {
    const other = tempHome('baseline-sealed-old-');
    try {
      const old = BaselineApp.open({
        home: other.home,
        transport: 'in-process',
        keyProtection: passphraseProtection(PASSPHRASE),
        sync: { background: false },
      });
      try {
        const pair = app.bundles.bundleKey();
        writeFileSync(join(other.home, BUNDLE_KEY_FILE), JSON.stringify({ format: 'baseline.bundle-key/1', ...pair }));
        expect(old.bundles.bundleKey()).toEqual(pair);
        const text = readFileSync(join(other.home, BUNDLE_KEY_FILE), 'utf8');
        expect(text).toContain('baseline.bundle-key/2');
        expect(text).not.toContain('BEGIN PRIVATE KEY');
        expect(readBundleKeyFile(join(other.home, BUNDLE_KEY_FILE), passphraseProtection(PASSPHRASE))).toEqual(pair);
      } finally {
        old.close();
      }
    } finally {
      other.cleanup();
    }
  });
});
