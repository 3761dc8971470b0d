/**
 * `baseline web` and `baseline demo create`: the commands that serve or write a whole data directory (loaded only
 * when one runs).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { protectionFromEnv } from '../services/data-directory-reader.ts';
import { createDemoPlant } from '../services/demo-plant.ts';
import { HostedApp, createThrowawayDemo } from './hosted-app.ts';
import { resolveHome } from './data-home.ts';
import { startWebHost } from './web-host.ts';
import { UsageError, type CliIo } from './cli-usage.ts';

/** `baseline web`: serves the app to a browser on 127.0.0.1 until interrupted. */
export async function web(values: Record<string, string | boolean | string[] | undefined>, io: CliIo): Promise<number> {
  if (values['demo'] && (values['temp'] || values['home'] !== undefined))
    throw new UsageError('--demo makes its own throw-away data directory; leave out --home and --temp');
  const keyProtection = protectionFromEnv();
  const port = values['port'] === undefined ? 0 : Number(values['port']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number, not ${String(values['port'])}`);
  if (values['demo']) io.out('Building the demo plant (people, simulated controllers, a few months of history)…\n');
  const home = values['demo']
    ? await createThrowawayDemo({ keyProtection })
    : values['temp']
      ? mkdtempSync(join(tmpdir(), 'baseline-web-'))
      : resolveHome(values['home'] as string | undefined);
  const hosted = await HostedApp.open(
    {
      home,
      transport: 'web',
      keyProtection,
      serverUrl: (values['server'] as string | undefined) ?? process.env['BASELINE_SERVER_URL'] ?? null,
    },
    values['demo'] === true,
  );
  const rendererDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist-renderer');
  let host;
  try {
    host = await startWebHost({ router: hosted, hub: hosted.hub, rendererDir, port });
  } catch (err) {
    await hosted.close();
    throw err;
  }
  const demo = hosted.app.isDemo() ? ' (DEMO plant: demo data, not evidence; its simulated controllers run while this host does)' : '';
  // Ctrl+C and SIGTERM are listened for before the URL is printed: a signal sent as soon as it is out (by the browser
  // opener's caller, a script) must stop the host cleanly, not kill it before it listens.
  const stopped = new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.out(
    `Baseline web host\n  data directory: ${home}${demo}\n  open: ${host.url}\n  (listening on 127.0.0.1 only; press Ctrl+C to stop)\n`,
  );
  await stopped;
  await host.close();
  await hosted.close();
  return 0;
}

/** `baseline demo create`: writes a demo data directory without serving it. */
export async function demo(
  command: string | undefined,
  values: Record<string, string | boolean | string[] | undefined>,
  io: CliIo,
): Promise<number> {
  if (command !== 'create') throw new UsageError(`unknown demo command "${command ?? ''}"`);
  const home = values['home'];
  if (typeof home !== 'string') throw new UsageError('baseline demo create needs --home DIR (a new or empty folder)');
  const report = await createDemoPlant({ home: resolve(home), keyProtection: protectionFromEnv(), log: (line) => io.out(`  ${line}\n`) });
  io.out(
    `Demo plant written to ${report.home} in ${(report.milliseconds / 1000).toFixed(1)} s: ${report.events} signed events, ` +
      `${report.controllers.length} controllers (${report.controllers.join(', ')}), ${report.changes} changes.\n` +
      `Serve it with: baseline web --home ${report.home}\n`,
  );
  return 0;
}
