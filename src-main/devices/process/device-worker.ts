/**
 * The device process: runs driver jobs sent by the supervisor. Any uncaught error (the protocol libraries
 * throw them from socket callbacks on malformed replies) is reported, and the process exits so the
 * supervisor fails the job with that reason and starts a clean process.
 */
import type { FromDevice, ToDevice } from './device-messages.ts';
import { crashReport, deviceJobRunner } from './job-runner.ts';

/** Under Electron this runs as a utilityProcess and talks through `process.parentPort`; under Node, a forked child with IPC. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}
const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(m: FromDevice): void {
  if (parentPort) parentPort.postMessage(m);
  else process.send?.(m);
}

function onMessage(listener: (m: unknown) => void): void {
  if (parentPort) parentPort.on('message', (e) => listener(e.data));
  else process.on('message', listener);
}

function die(err: unknown): void {
  send(crashReport(err));
  // Let the crash message flush before exiting.
  setTimeout(() => process.exit(70), 20);
}

process.on('uncaughtException', die);
process.on('unhandledRejection', die);

const run = deviceJobRunner(send);
onMessage((raw) => run(raw as ToDevice));

if (!parentPort) process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
