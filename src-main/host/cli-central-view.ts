/**
 * `baseline central-view`: serves the read-only central view (central-view-host.ts) from a replica data
 * directory enrolled with the central server, usually on the server's own machine.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCentralView } from './central-view-host.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

/** Runs the command until SIGINT/SIGTERM; returns the exit code (2: wrong usage). */
export async function centralViewCommand(values: Values, io: { out(t: string): void; err(t: string): void }): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const usage = (text: string) => {
    io.err(
      `baseline central-view: ${text}\nUsage: baseline central-view --home DIR (--server-home SERVER_DIR | --tls-cert FILE --tls-key FILE) [--host ADDRESS] [--port N]\n` +
        '                       [--server URL --code CODE --fingerprint SHA256]   (first start: enrol with a code from `baseline server enrol-code`)\n',
    );
    return 2;
  };
  const home = str('home');
  if (!home) return usage("--home DIR is required (the central view's own data directory, not a laptop's or the server's).");
  const serverHome = str('server-home');
  const certFile = str('tls-cert') ?? (serverHome ? join(serverHome, 'pki', 'server.pem') : undefined);
  const keyFile = str('tls-key') ?? (serverHome ? join(serverHome, 'pki', 'server.key.pem') : undefined);
  if (!certFile || !keyFile)
    return usage("give the HTTPS certificate: --server-home (the server's data directory) or --tls-cert and --tls-key.");
  const port = str('port') === undefined ? 8444 : Number(str('port'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usage(`--port must be a port number, not ${str('port')}.`);
  const server = str('server');
  const code = str('code');
  const fingerprint = str('fingerprint');
  if ((server || code || fingerprint) && !(server && code && fingerprint))
    return usage('enrolment needs all three of --server, --code and --fingerprint.');
  const view = await startCentralView({
    home: resolve(home),
    tls: { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') },
    rendererDir: resolve(dirname(fileURLToPath(import.meta.url)), '../../dist-renderer'),
    host: str('host') ?? '127.0.0.1',
    port,
    ...(server && code && fingerprint ? { enrol: { serverUrl: server, code, caFingerprint: fingerprint } } : {}),
  });
  io.out(
    `Baseline central view (read-only)\n  open: ${view.url}\n  people sign in with their certificate from the plant CA (their .p12 keystore imported into the browser)\n`,
  );
  await new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  await view.close();
  return 0;
}
