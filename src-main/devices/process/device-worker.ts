/**
 * The device process: runs driver jobs sent by the supervisor. Any uncaught error (the protocol libraries
 * throw them from socket callbacks on malformed replies) is reported, and the process exits so the
 * supervisor fails the job with that reason and starts a clean process.
 */
import { toErrorData } from '../../../src-shared/common/errors.ts';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { FromDevice, ToDevice } from './device-messages.ts';
import { JOB_HANDLERS } from './job-handlers.ts';

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
  const message = err instanceof Error ? err.message : String(err);
  send({ type: 'crash', message: `the protocol library failed on an unexpected reply (${message})` });
  // Let the crash message flush before exiting.
  setTimeout(() => process.exit(70), 20);
}

process.on('uncaughtException', die);
process.on('unhandledRejection', die);

const running = new Map<number, AbortController>();

onMessage((raw) => {
  const m = raw as ToDevice;
  if (m.type === 'cancel') {
    running.get(m.id)?.abort();
    return;
  }
  const handler = JOB_HANDLERS[m.job.kind];
  if (!handler) {
    send({ type: 'result', id: m.id, ok: false, error: new BaselineError('unknown-job', `The device process has no job "${m.job.kind}".`, 'This is a defect; report it.').toData() });
    return;
  }
  const controller = new AbortController();
  running.set(m.id, controller);
  void handler(m.job.payload, {
    signal: controller.signal,
    progress: (p) => send({ type: 'progress', id: m.id, progress: p }),
  }).then(
    (value) => send({ type: 'result', id: m.id, ok: true, value }),
    (err: unknown) => send({ type: 'result', id: m.id, ok: false, error: toErrorData(err) }),
  ).finally(() => running.delete(m.id));
});

if (!parentPort) process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
