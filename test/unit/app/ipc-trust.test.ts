import { describe, expect, it } from 'vitest';
import { isTrustedSender, type SenderFacts } from '../../../src-main/app/ipc-trust.ts';

// The Electron binary cannot run on these machines, so the shell's sender check is tested as the pure
// function main.ts calls with the facts Electron gives it.
const ok: SenderFacts = {
  senderId: 3,
  windowContentsId: 3,
  fromMainFrame: true,
  frameUrl: 'file:///opt/Baseline/resources/app.asar/dist-renderer/index.html#audit',
  appPageUrl: 'file:///opt/Baseline/resources/app.asar/dist-renderer/index.html',
};

describe('IPC sender check', () => {
  it("trusts our window's top frame on our page", () => {
    expect(isTrustedSender(ok)).toBe(true);
  });
  it.each([
    ['another webContents', { senderId: 4 }],
    ['a closed window', { windowContentsId: null }],
    ['an iframe', { fromMainFrame: false }],
    ['a remote page', { frameUrl: 'https://evil.example/index.html' }],
    ['another local file', { frameUrl: 'file:///tmp/index.html' }],
    ['a look-alike path', { frameUrl: 'file:///opt/Baseline/resources/app.asar/dist-renderer/index.html.evil' }],
    ['an unparsable URL', { frameUrl: 'not a url' }],
  ])('refuses %s', (_name, change) => {
    expect(isTrustedSender({ ...ok, ...change })).toBe(false);
  });
});
