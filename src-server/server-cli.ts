/**
 * `baseline server`: runs the central sync server, and `baseline server enrol-code` issues one-time enrolment
 * codes. Exit codes: 0 success, 1 failure, 2 wrong usage.
 */
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { BaselineError, toErrorData } from '../src-shared/common/errors.ts';
import { buildServerApp } from './server-app.ts';
import { createEnrolCode } from './sync-operations.ts';
import { runBundleCommand } from './bundle-cli.ts';
import { revokeCentrally } from './central-revocations.ts';
import { defaultServerNames, prepareServerHome, type ServerPki } from './server-home.ts';
import { openServerDatabase, type ServerDatabase } from './store/server-database.ts';
import { SyncStore } from './store/sync-store.ts';

const HELP = `baseline server: the central sync server

Usage:
  baseline server [--home DIR] [--port N] [--host ADDRESS] [--db postgres://USER:PASS@HOST/DB] [--name DNS-NAME]...
        serve sync over HTTPS (certificate from the plant CA in DIR/pki); SQLite in DIR unless --db names
        PostgreSQL. Default port 8443 on 127.0.0.1 (--host 0.0.0.0 to serve the plant network).
  baseline server enrol-code [--home DIR] [--db URL] [--ttl MINUTES]
        a one-time code that enrols one laptop (default valid 60 minutes)
  baseline server enrol-file REQUEST [--out RESPONSE] [--home DIR] [--db URL]
        enrol a laptop by file (no network path ever): the request the laptop wrote with its one-time
        code, checked as online enrolment checks it; writes the signed response (REQUEST.response)
  baseline server import FILE [--home DIR] [--db URL] [--ack-out FILE]
        import a laptop's sync bundle (removable media, air-gapped plants) with the checks of online
        sync; writes the signed acknowledgement (FILE.ack) to carry back
  baseline server export --device ID --out FILE [--after N] [--home DIR] [--db URL]
        a bundle for one laptop: what online pull would give it, encrypted to that laptop
  baseline server bundle-cert [--out FILE]
        the server's bundle certificate (laptops encrypt their bundles to it)
  baseline server revoke-device DEVICE_ID --reason TEXT [--home DIR] [--db URL]
  baseline server revoke-person EMPLOYEE_ID|CERT_FINGERPRINT --reason TEXT [--home DIR] [--db URL]
        revoke centrally, signed with the plant CA's key; every laptop receives it at its next sync, and events
        signed by that device or person after now are refused everywhere

Data directory: --home DIR, else $BASELINE_SERVER_HOME, else ~/.baseline-server.
`;

/** Options for a running server. */
export interface StartServerOptions {
  home: string;
  port?: number;
  host?: string;
  /** A PostgreSQL URL; absent: SQLite in the data directory. */
  postgresUrl?: string | null;
  names?: string[];
  logger?: boolean | Record<string, unknown>;
  clock?: () => Date;
  enrolPerMinute?: number;
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  app: FastifyInstance;
  store: SyncStore;
  database: ServerDatabase;
  pki: ServerPki;
  /** Stops taking requests, finishes those in flight, then closes the database. */
  close(): Promise<void>;
}

/** Opens the data directory and database and starts listening. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  mkdirSync(options.home, { recursive: true, mode: 0o700 });
  const names =
    options.names && options.names.length > 0 ? [...new Set([...options.names, 'localhost', '127.0.0.1'])] : defaultServerNames();
  const pki = prepareServerHome(options.home, names);
  const database = await openServerDatabase(
    options.postgresUrl ? { postgresUrl: options.postgresUrl } : { sqlitePath: join(options.home, 'server.db') },
  );
  let app: FastifyInstance;
  let store: SyncStore;
  try {
    ({ app, store } = await buildServerApp({
      home: options.home,
      database,
      pki,
      clock: options.clock,
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      ...(options.enrolPerMinute !== undefined ? { enrolPerMinute: options.enrolPerMinute } : {}),
    }));
    await app.listen({ port: options.port ?? 8443, host: options.host ?? '127.0.0.1' });
  } catch (err) {
    await database.close();
    const e = err as { code?: string; message?: string };
    if (e.code === 'EADDRINUSE')
      throw new BaselineError(
        'server-port-taken',
        `Port ${options.port ?? 8443} is already in use.`,
        'Stop the other program or choose another port (--port).',
      );
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8443);
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  let closed: Promise<void> | null = null;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    app,
    store,
    database,
    pki,
    close() {
      closed ??= (async () => {
        await app.close();
        await database.close();
      })();
      return closed;
    },
  };
}

function serverHome(value: string | undefined): string {
  return resolve(value ?? process.env['BASELINE_SERVER_HOME'] ?? join(homedir(), '.baseline-server'));
}

/** Output sinks, so tests can run the command in-process. */
export interface ServerCliIo {
  out(text: string): void;
  err(text: string): void;
}

const stdio: ServerCliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs `baseline server …` (argv after "server"); resolves with the exit code when the server stops. */
export async function runServerCli(argv: string[], io: ServerCliIo = stdio, stop?: Promise<void>): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        home: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        name: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        reason: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        out: { type: 'string' },
        device: { type: 'string' },
        after: { type: 'string' },
        'ack-out': { type: 'string' },
      },
    }));
  } catch (err) {
    io.err(`baseline server: ${err instanceof Error ? err.message : String(err)}\nRun \`baseline server --help\`.\n`);
    return 2;
  }
  if (values.help) {
    io.out(HELP);
    return 0;
  }
  const home = serverHome(values.home);
  const postgresUrl = values.db ?? process.env['BASELINE_SERVER_DB'] ?? null;
  if (postgresUrl !== null && !/^postgres(ql)?:\/\//.test(postgresUrl)) {
    io.err(
      'baseline server: --db must be a PostgreSQL URL (postgres://user:password@host:port/database).\n  what to do: leave --db out to use SQLite in the data directory.\n',
    );
    return 2;
  }
  try {
    const [command] = positionals;
    if (command === 'enrol-code') {
      const minutes = values.ttl === undefined ? 60 : Number(values.ttl);
      if (!Number.isFinite(minutes) || minutes <= 0 || minutes > 7 * 24 * 60) {
        io.err(`baseline server: --ttl must be minutes between 1 and ${7 * 24 * 60}, not ${values.ttl}.\n`);
        return 2;
      }
      mkdirSync(home, { recursive: true, mode: 0o700 });
      const pki = prepareServerHome(home, defaultServerNames());
      const database = await openServerDatabase(postgresUrl ? { postgresUrl } : { sqlitePath: join(home, 'server.db') });
      try {
        const { code, expiresAt } = await createEnrolCode(new SyncStore(database), minutes * 60_000);
        io.out(
          `Enrolment code: ${code}\n  valid once, until ${expiresAt}\n  plant CA fingerprint (SHA-256): ${pki.caFingerprint}\n` +
            '  On the laptop: Sync > Enrol, with the server address, this code and the fingerprint.\n',
        );
        return 0;
      } finally {
        await database.close();
      }
    }
    if (command === 'import' || command === 'export' || command === 'bundle-cert' || command === 'enrol-file') {
      mkdirSync(home, { recursive: true, mode: 0o700 });
      return await runBundleCommand(
        command,
        { home, postgresUrl, file: positionals[1], out: values.out, device: values.device, after: values.after, ackOut: values['ack-out'] },
        io.out,
      );
    }
    if (command === 'revoke-device' || command === 'revoke-person') {
      const who = positionals[1];
      if (!who || values.reason === undefined) {
        io.err(
          `baseline server: ${command} needs ${command === 'revoke-device' ? 'the device id' : 'the employee id or certificate fingerprint'} and --reason "…".\n`,
        );
        return 2;
      }
      mkdirSync(home, { recursive: true, mode: 0o700 });
      const pki = prepareServerHome(home, defaultServerNames());
      const database = await openServerDatabase(postgresUrl ? { postgresUrl } : { sqlitePath: join(home, 'server.db') });
      try {
        const done = await revokeCentrally(
          new SyncStore(database),
          pki,
          command === 'revoke-device' ? 'device' : 'person',
          who,
          values.reason,
        );
        for (const d of done)
          io.out(`Revoked ${d.revocation.kind} ${d.name} (${d.revocation.subject}) at ${d.revocation.revokedAt}: ${d.revocation.reason}\n`);
        io.out('  Signed with the plant CA; every laptop receives it at its next sync.\n');
        return 0;
      } finally {
        await database.close();
      }
    }
    if (command !== undefined) {
      io.err(`baseline server: unknown command "${command}".\nRun \`baseline server --help\`.\n`);
      return 2;
    }
    const port = values.port === undefined ? 8443 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      io.err(`baseline server: --port must be a port number, not ${values.port}.\n`);
      return 2;
    }
    const server = await startServer({ home, port, host: values.host ?? '127.0.0.1', postgresUrl, names: values.name ?? [], logger: true });
    io.err(
      `Baseline server listening on ${server.url} (${server.database.dialect}: ${server.database.location}; data directory ${home})\n` +
        `  plant CA fingerprint (SHA-256): ${server.pki.caFingerprint}\n`,
    );
    await (stop ??
      new Promise<void>((resolveStop) => {
        process.once('SIGINT', () => resolveStop());
        process.once('SIGTERM', () => resolveStop());
      }));
    server.app.log.info('shutting down: finishing requests in flight');
    await server.close();
    return 0;
  } catch (err) {
    const data = toErrorData(err);
    io.err(`baseline server: ${data.message}\n  what to do: ${data.hint}\n`);
    return 1;
  }
}

if (import.meta.main) {
  process.exitCode = await runServerCli(process.argv.slice(2));
}
