// electron-builder's afterPack hook: sets Electron's fuses (build-time switches in the packaged binary) with
// @electron/fuses, before the binary is signed. Off: running as plain Node (ELECTRON_RUN_AS_NODE), NODE_OPTIONS,
// and --inspect (each would let anyone who can start the program run their own code with the app's identity and its
// device key). On: loading the app only from its asar archive, and checking that archive against the hash
// embedded at build time (macOS and Windows; Electron does not yet check it on Linux).
'use strict';
const path = require('node:path');
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses');

/** The fuses Baseline ships with. */
const fuseConfig = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

/** The packaged Electron executable for a platform. */
function executableOf(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  const name = packager.appInfo.productFilename;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return path.join(appOutDir, `${name}.app`);
  if (electronPlatformName === 'win32') return path.join(appOutDir, `${name}.exe`);
  return path.join(appOutDir, packager.executableName);
}

/** The hook: flips the fuses of the packaged binary. */
async function afterPack(context) {
  await flipFuses(executableOf(context), {
    ...fuseConfig,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin' && context.arch === 3,
  });
}

module.exports = afterPack;
module.exports.default = afterPack;
module.exports.fuseConfig = fuseConfig;
module.exports.executableOf = executableOf;
