#!/usr/bin/env node
// Entry point of the `baseline` command. The sources are TypeScript run by Node's built-in type stripping,
// which needs Node 22.18 or newer (Electron 45 itself runs Node 24).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`baseline needs Node.js 22.18 or newer (this is ${process.versions.node}). Install Node 24 and run it again.\n`);
  process.exit(1);
}
// The central server is its own program (src-server never shares code with the laptop's src-main).
if (process.argv[2] === 'server') {
  const { runServerCli } = await import('../src-server/server-cli.ts');
  process.exitCode = await runServerCli(process.argv.slice(3));
} else {
  const { runCli } = await import('../src-main/host/cli.ts');
  process.exitCode = await runCli(process.argv.slice(2));
}
