/**
 * The desktop shell's security settings that can be checked without the Electron binary (which cannot be downloaded
 * here): the app:// path resolution, the desktop Content-Security-Policy, the packaged menu, and the fuses the
 * electron-builder hook writes (flipped in a stand-in binary that carries Electron's fuse sentinel).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { APP_PAGE_URL, DESKTOP_CSP, resolveAppRequest } from '../../../src-main/app/app-protocol.ts';
import { appMenuTemplate } from '../../../src-main/app/app-menu.ts';
import type * as ElectronFuses from '@electron/fuses';

const require = createRequire(import.meta.url);
const root = resolve('/opt/Baseline/resources/app.asar/dist-renderer');

describe('app:// protocol: path resolution', () => {
  it('serves the bundled files, / as the index page', () => {
    expect(APP_PAGE_URL).toBe('app://baseline/index.html');
    expect(resolveAppRequest('app://baseline/index.html', root)).toBe(join(root, 'index.html'));
    expect(resolveAppRequest('app://baseline/', root)).toBe(join(root, 'index.html'));
    expect(resolveAppRequest('app://baseline/assets/index-abc123.js', root)).toBe(join(root, 'assets', 'index-abc123.js'));
    expect(resolveAppRequest('app://baseline/assets/a%20b.css', root)).toBe(join(root, 'assets', 'a b.css'));
  });

  it('dot segments, even percent-encoded, are resolved by the URL parser within the folder', () => {
    expect(resolveAppRequest('app://baseline/%2e%2e/%2e%2e/etc/passwd', root)).toBe(join(root, 'etc', 'passwd'));
    expect(resolveAppRequest('app://baseline/../../../device-key.json', root)).toBe(join(root, 'device-key.json'));
  });

  it.each([
    'app://baseline/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fdevice-key.json',
    'app://baseline/..%2f..%2fbaseline.db',
    'app://baseline/%5c..%5c..%5cWindows%5cwin.ini',
    'app://baseline/assets/..\\..\\secret',
    'app://baseline/index.html%00.js',
    'app://baseline/%E0%A4%A',
    'app://evil/index.html',
    'file:///etc/passwd',
    'https://baseline/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppRequest(url, root)).toBeNull();
  });

  it('never resolves outside the renderer folder, whatever the dots (300 generated paths)', () => {
    const parts = ['..', '.', '%2e%2e', '%2E%2E', '%2f', 'assets', 'x', '%252e%252e', '...', '.%2e', '%2e.'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 300; i++) {
      const path = Array.from({ length: 1 + (next() % 6) }, () => parts[next() % parts.length]).join('/');
      const file = resolveAppRequest(`app://baseline/${path}`, root);
      if (file !== null && !(file + sep).startsWith(root + sep)) throw new Error(`app://baseline/${path} resolved to ${file}`);
    }
  });
});

describe('desktop Content-Security-Policy', () => {
  it("allows only the app's own files and no WebSocket or other network", () => {
    expect(DESKTOP_CSP).toContain("default-src 'none'");
    expect(DESKTOP_CSP).toMatch(/connect-src 'self';/);
    expect(DESKTOP_CSP).not.toMatch(/ws:|wss:|http:|https:|unsafe|\*/);
  });

  it('is the policy main.ts hands to every response, and the page itself carries none that could loosen it', () => {
    const main = readFileSync('src-main/app/main.ts', 'utf8');
    expect(main).toContain(`'Content-Security-Policy': ["${DESKTOP_CSP}"]`);
    expect(main).toContain("headers.set('Content-Security-Policy', DESKTOP_CSP)");
    const page = readFileSync('src-renderer/index.html', 'utf8');
    expect(page).not.toMatch(/http-equiv="Content-Security-Policy"/i);
    expect(page).not.toContain('ws://');
  });
});

describe('packaged menu', () => {
  it('has no developer tools and no reload when packaged; a development build keeps them', () => {
    const roles = (packaged: boolean) => JSON.stringify(appMenuTemplate(packaged));
    expect(roles(true)).not.toMatch(/toggleDevTools|reload|forceReload/);
    expect(roles(false)).toMatch(/toggleDevTools/);
  });
});

describe('Electron fuses (electron-builder afterPack hook)', () => {
  const hook = require('../../../scripts/after-pack.cjs') as ((context: unknown) => Promise<void>) & {
    fuseConfig: Record<string, unknown>;
  };
  const { FuseV1Options, getCurrentFuseWire } = require('@electron/fuses') as typeof ElectronFuses;

  it('turns RunAsNode, NODE_OPTIONS and --inspect off, asar-only loading and asar integrity on', () => {
    expect(hook.fuseConfig).toMatchObject({
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    });
    expect(readFileSync('electron-builder.yml', 'utf8')).toMatch(/^afterPack: scripts\/after-pack\.cjs$/m);
  });

  it("flips exactly those fuses in a packaged Linux executable (a stand-in file with Electron's fuse wire)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fuses-'));
    // Electron's layout: sentinel, wire version 1, wire length, then one byte per fuse ('1' on, '0' off); as shipped,
    // RunAsNode, NODE_OPTIONS and --inspect are on and the asar checks off.
    const shipped = Buffer.from('11110011');
    writeFileSync(
      join(dir, 'baseline'),
      Buffer.concat([
        Buffer.from('ELF…'),
        Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'),
        Buffer.from([1, 8]),
        shipped,
        Buffer.from('…rest'),
      ]),
    );
    await hook({
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { executableName: 'baseline', appInfo: { productFilename: 'Baseline' } },
    });
    const wire = await getCurrentFuseWire(join(dir, 'baseline'));
    const on = (o: number) => String.fromCharCode(wire[o as keyof typeof wire] as number);
    expect(on(FuseV1Options.RunAsNode)).toBe('0');
    expect(on(FuseV1Options.EnableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(on(FuseV1Options.EnableNodeCliInspectArguments)).toBe('0');
    expect(on(FuseV1Options.EnableEmbeddedAsarIntegrityValidation)).toBe('1');
    expect(on(FuseV1Options.OnlyLoadAppFromAsar)).toBe('1');
  });
});
