/**
 * Runs the jobs sent to a device process: picks the handler of each job's kind, reports its progress and result,
 * and cancels it on request. Shared by the device process itself (device-worker.ts) and by the in-process runner
 * a one-shot `baseline capture` uses (in-process-device.ts), so both answer the supervisor alike.
 */
import { BaselineError, toErrorData } from '../../../src-shared/common/errors.ts';
import type { FromDevice, ToDevice } from './device-messages.ts';
import { JOB_HANDLERS } from './job-handlers.ts';

/** The report a device process sends before it exits on an uncaught error of a protocol library. */
export function crashReport(err: unknown): FromDevice {
  const message = err instanceof Error ? err.message : String(err);
  return { type: 'crash', message: `the protocol library failed on an unexpected reply (${message})` };
}

/**
 * Returns the handler of messages from the supervisor; answers go to `send`. `sameProcess`: the jobs come from
 * the caller's own objects in this process (in-process-device.ts), not from another process's message.
 */
export function deviceJobRunner(send: (m: FromDevice) => void, { sameProcess = false } = {}): (m: ToDevice) => void {
  const running = new Map<number, AbortController>();
  return (m) => {
    if (m.type === 'cancel') {
      running.get(m.id)?.abort();
      return;
    }
    const handler = JOB_HANDLERS[m.job.kind];
    if (!handler) {
      send({
        type: 'result',
        id: m.id,
        ok: false,
        error: new BaselineError('unknown-job', `The device process has no job "${m.job.kind}".`, 'This is a defect; report it.').toData(),
      });
      return;
    }
    const controller = new AbortController();
    running.set(m.id, controller);
    void handler(m.job.payload, {
      signal: controller.signal,
      sameProcess,
      progress: (p) => send({ type: 'progress', id: m.id, progress: p }),
    })
      .then(
        (value) => send({ type: 'result', id: m.id, ok: true, value }),
        (err: unknown) => send({ type: 'result', id: m.id, ok: false, error: toErrorData(err) }),
      )
      .finally(() => running.delete(m.id));
  };
}
