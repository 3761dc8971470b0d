/**
 * `baseline`: the command-line interface. It runs the same services as the app, without Electron, for
 * jump hosts, scheduled jobs and auditors. Exit codes: 0 success, 1 failure or verification failed,
 * 2 wrong usage.
 */
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_VERSION } from '../app-version.ts';
import { resolveHome } from './data-home.ts';
import { reportError, UsageError, type CliIo } from './cli-usage.ts';

export type { CliIo } from './cli-usage.ts';

const HELP = `baseline ${APP_VERSION}: offline-first OT change control

Usage:
  baseline journal verify [--home DIR] [--json]   check every event's hash, signature, chain link and
                                                  device key, and every table against the journal
                                                  (exit 0 intact, 1 when anything was altered)
  baseline journal list   [--home DIR] [--json] [--limit N]
                                                  the journal, newest first
  baseline journal rebuild [--home DIR]           rebuild every projection table from the journal
                                                  (per device by seq; this directory's own device only)
  baseline web [--home DIR | --temp | --demo] [--port N] [--server URL]
                                                  serve the app to a browser on 127.0.0.1
                                                  (--demo: a throw-away demo plant, deleted on exit;
                                                  a demo directory's simulated controllers run while served)
  baseline central-view --home DIR --server-home SERVER_DIR [--port N] [--server URL --code C --fingerprint F]
                                                  the read-only central view over HTTPS for people with
                                                  a plant-CA certificate (first start: enrol with a code)
  baseline demo create --home DIR                 write a complete demo data directory (the 24-line
                                                  packaging plant, people, simulated controllers, a few
                                                  months of history; marked DEMO) without serving it
  baseline capture --protocol modbus-tcp|modbus-rtu|s7|logix --host H [--port P] [--unit N]
                   [--rack R --slot S] [--serial PATH --baud B] --profile FILE.csv --out FILE.json
                   [--timeout MS] [--retries N] [--home DIR] [--signer EMPLOYEE_ID]
                   [--attach FILE]...             attach vendor exports (.L5X, Openness XML, .ACD…)
                                                  read every profile tag (never writes); exit 0 all
                                                  good, 2 some bad, 1 nothing captured. Writes a
                                                  snapshot file, signed "captured by" when --signer is
                                                  given (asks their password). With --home (or
                                                  $BASELINE_HOME) the capture is recorded there.
                                                  A profile file once checked is kept, hash-checked,
                                                  in $BASELINE_CACHE_DIR (else the user's cache
                                                  folder) and not checked again while unchanged.
  baseline capture-server [--idle MINUTES]        keep one capture process warm for repeated captures:
                                                  \`baseline capture\` without --home, --signer or
                                                  --attach hands its capture to it (same user only;
                                                  not on Windows). Stops after MINUTES without a
                                                  capture (default 30) or on Ctrl+C.
  baseline diff BEFORE.json AFTER.json [--json] [--force] [--home DIR] [--ca CA.pem]
                                                  compare two snapshots (exit 0 identical, 3 different);
                                                  different controllers are refused unless --force;
                                                  with --home, attached text/XML exports get a line diff
  baseline drift (--controller ID|NAME | --all | --due) [--home DIR] [--json]
                                                  capture and compare with the approved baseline; drift
                                                  opens an unauthorized-change record (exit 0 no drift,
                                                  3 drift found, 1 error). --due checks only controllers
                                                  whose check the policy's driftChecks.every makes due
                                                  (for a scheduler): 0 all checked and clean, 3 drift,
                                                  4 a due controller could not be reached, 1 other error
  baseline snapshot verify FILE [--home DIR] [--ca CA.pem] [--json]
                                                  check a snapshot's hash, signatures and certificates
                                                  offline (exit 0 valid; 1 invalid, unsigned or unreadable)
  baseline people create-ca --name N [--out CA.pem] | trust-ca --cert CA.pem [--signer EMPLOYEE_ID]
                  | enrol --name N --employee-id ID --roles engineer,supervisor,…
                  | import --p12 FILE | export --employee-id ID --out FILE
                  | revoke --employee-id ID --reason TEXT | list      [--home DIR]
                                                  people's certificates and keystores; passwords are
                                                  asked for (hidden on a terminal, one per stdin line);
                                                  trusting a further CA is signed by plant engineering
  baseline evidence export CR-0001|CHANGE_ID --out FILE.zip [--home DIR]
                                                  the change's evidence pack: signed events, snapshots,
                                                  diffs, certificates, policy, report.pdf, VERIFY.md
  baseline evidence export --from DATE --to DATE [--line L] [--class C] --out DIR [--home DIR]
                                                  an auditor's sample: one pack per change created in the
                                                  period, and index.csv (the register with pack hashes)
  baseline verify PACK.zip [--ca CA.pem] [--home DIR] [--json]
                                                  check an evidence pack offline against the CA you trust
                                                  (exit 0 verified; 1 listing every failure)
  baseline simulate --protocol modbus-tcp|s7|logix --profile FILE.csv [--values FILE.json] [--port N]
                   [--unit N] [--fault none|delay:MS|drop|garbage|truncate|close|scramble:K:N|exception:CODE]
                                                  a simulated controller on 127.0.0.1
  baseline sync enrol-request --code CODE --fingerprint CA-SHA256 --out FILE | enrol-response FILE
                                                  enrol by file, for a laptop with no network path to
                                                  the server ever (server: \`baseline server enrol-file\`)
  baseline sync export --out FILE [--all] [--to SERVER-BUNDLE.pem] | import FILE | import-ack FILE.ack
                 | backup-folder [DIR|off] | status     [--home DIR]
                                                  sync by file on removable media (air-gapped plants):
                                                  unacknowledged events and content, signed and encrypted
                                                  to the server; the server's bundle and acknowledgement
                                                  back; evidence backups to DIR (docs/air-gap.md)
  baseline restore BACKUP... --home DIR (--key KEY.pem --cert CERT.pem | --bundle-key FILE)
                                                  rebuild a laptop store from its evidence backups into an
                                                  empty folder and verify its journal
  baseline --help | --version

Data directory: --home DIR, else $BASELINE_HOME, else the desktop app's own folder.
`;

const stdio: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** Runs the CLI with arguments (without node and script); returns the exit code. */
export async function runCli(argv: string[], io: CliIo = stdio): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        home: { type: 'string' },
        json: { type: 'boolean' },
        limit: { type: 'string' },
        port: { type: 'string' },
        server: { type: 'string' },
        temp: { type: 'boolean' },
        demo: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
        protocol: { type: 'string' },
        host: { type: 'string' },
        unit: { type: 'string' },
        rack: { type: 'string' },
        slot: { type: 'string' },
        serial: { type: 'string' },
        baud: { type: 'string' },
        profile: { type: 'string' },
        out: { type: 'string' },
        values: { type: 'string' },
        fault: { type: 'string' },
        timeout: { type: 'string' },
        retries: { type: 'string' },
        name: { type: 'string' },
        'employee-id': { type: 'string' },
        roles: { type: 'string' },
        cert: { type: 'string' },
        p12: { type: 'string' },
        reason: { type: 'string' },
        ca: { type: 'string' },
        signer: { type: 'string' },
        force: { type: 'boolean' },
        controller: { type: 'string' },
        all: { type: 'boolean' },
        due: { type: 'boolean' },
        attach: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        line: { type: 'string' },
        class: { type: 'string' },
        key: { type: 'string' },
        'bundle-key': { type: 'string' },
        code: { type: 'string' },
        fingerprint: { type: 'string' },
        'server-home': { type: 'string' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        idle: { type: 'string' },
      },
    });
    if (values.version) {
      io.out(APP_VERSION + '\n');
      return 0;
    }
    const [group, command] = positionals;
    if (values.help || group === undefined || group === 'help') {
      io.out(HELP);
      return 0;
    }
    // Each command's module (and what it needs: the store, the drivers, the web host) is loaded only when it runs.
    const home = resolveHome(values.home);
    const json = values.json ?? false;
    if (group === 'journal') {
      const journal = await import('./cli-journal.ts');
      if (command === 'verify') return await journal.verify(home, json, io);
      if (command === 'list') {
        const limit = values.limit === undefined ? 50 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not ${values.limit}`);
        return journal.list(home, json, limit, io);
      }
      if (command === 'rebuild') return journal.rebuild(home, io);
      throw new UsageError(`unknown journal command "${command ?? ''}"`);
    }
    if (group === 'web') return await (await import('./cli-web.ts')).web(values, io);
    if (group === 'central-view') return await (await import('./cli-central-view.ts')).centralViewCommand(values, io);
    if (group === 'demo') return await (await import('./cli-web.ts')).demo(command, values, io);
    const ioTty = { ...io, isTty: io === stdio && process.stderr.isTTY === true };
    if (group === 'capture') {
      // A capture server of this build takes the capture when one runs (capture-server.ts); else it runs here.
      const served = await (await import('./capture-client.ts')).captureViaServer(values, ioTty);
      return served ?? (await (await import('./cli-capture.ts')).captureCommand(values, ioTty));
    }
    if (group === 'capture-server') {
      const { serveCaptures, MAX_IDLE_MINUTES } = await import('./capture-server.ts');
      const minutes = values.idle === undefined ? 30 : Number(values.idle);
      if (!(minutes > 0 && minutes <= MAX_IDLE_MINUTES))
        throw new UsageError(`--idle must be a number of minutes above 0 and at most ${MAX_IDLE_MINUTES}, not ${values.idle}`);
      const stop = new AbortController();
      process.once('SIGINT', () => stop.abort());
      process.once('SIGTERM', () => stop.abort());
      await serveCaptures({ idleMs: minutes * 60_000, io, stop: stop.signal });
      return 0;
    }
    if (group === 'people') return await (await import('./cli-people.ts')).peopleCommand(command, values, home, io);
    if (group === 'diff')
      return (await import('./cli-diff.ts')).diffCommand(
        positionals[1],
        positionals[2],
        values,
        values.home ?? process.env['BASELINE_HOME'] ?? null,
        io,
      );
    if (group === 'drift') return await (await import('./cli-drift.ts')).driftCommand(values, home, io);
    if (group === 'snapshot') {
      if (command !== 'verify') throw new UsageError(`unknown snapshot command "${command ?? ''}"`);
      const explicitHome = values.home ?? process.env['BASELINE_HOME'] ?? (existsSync(join(home, 'baseline.db')) ? home : null);
      return (await import('./cli-people.ts')).snapshotVerifyCommand(positionals[2], values, explicitHome ?? null, io);
    }
    if (group === 'simulate') return await (await import('./cli-simulate.ts')).simulateCommand(values, ioTty);
    if (group === 'evidence') return await (await import('./cli-evidence.ts')).evidenceCommand(command, positionals[2], values, home, io);
    if (group === 'verify') return await (await import('./cli-evidence.ts')).verifyCommand(command, values, values.home ?? null, io);
    if (group === 'sync') return await (await import('./cli-sync.ts')).syncCommand(command, positionals[2], values, home, io);
    if (group === 'restore') return await (await import('./cli-sync.ts')).restoreCommand(positionals.slice(1), values, io);
    throw new UsageError(`unknown command "${group}"`);
  } catch (err) {
    return reportError(err, io);
  }
}

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2));
}
