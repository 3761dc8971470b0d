/**
 * A device "process" that runs the driver jobs in this process, for one-shot commands (`baseline capture`): a
 * separate device process pays for itself in a long-running app, where a protocol library's crash must not take
 * the app down, but a one-shot command would spend a second Node start-up on it. It answers the supervisor as
 * the device process does: an uncaught error (the S7 and Logix libraries throw them from socket callbacks on
 * malformed replies) from the first job until the supervisor closes it is reported as the device process's crash
 * (a running job fails with that reason); a deadline's kill aborts the jobs and reports an exit; answers arrive
 * asynchronously, as over IPC.
 * What it does not do is copy: a job and its answer are handed over as they are, not through a v8
 * serialise/deserialise as over the IPC channel, and the capture handler does not check again, with zod, the
 * profile the caller checked when it read the file (`sameProcess` in the job context). Both are there for data
 * crossing from another process; here the caller's typed objects never leave this one, and copying and checking
 * a 10,000-tag profile again cost `baseline capture` about 0.1 s. The jobs only read what they are given
 * (test/integration/devices/in-process-device.test.ts checks the caller's profile is unchanged after a capture).
 */
import type { DeviceProcessHandle, SpawnDeviceProcess } from './device-supervisor.ts';
import type { FromDevice, ToDevice } from './device-messages.ts';
import { crashReport, deviceJobRunner } from './job-runner.ts';

/** Starts the in-process runner. */
export const inProcessDevice: SpawnDeviceProcess = (): DeviceProcessHandle => {
  const messageListeners: ((m: FromDevice) => void)[] = [];
  const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
  const running = new Set<number>();
  let exited = false;

  const deliver = (m: FromDevice) => {
    if (exited) return;
    if (m.type === 'result') running.delete(m.id);
    setImmediate(() => {
      for (const l of messageListeners) l(m);
    });
  };
  const run = deviceJobRunner(deliver, { sameProcess: true });
  const exit = (code: number | null, signal: string | null) => {
    if (exited) return;
    exited = true;
    process.off('uncaughtException', die);
    process.off('unhandledRejection', die);
    for (const id of running) run({ type: 'cancel', id });
    setImmediate(() => {
      for (const l of exitListeners) l(code, signal);
    });
  };
  function die(err: unknown): void {
    deliver(crashReport(err));
    exit(70, null);
  }

  return {
    send: (message) => {
      if (exited) return;
      const m: ToDevice = message;
      if (m.type === 'job') {
        if (running.size === 0 && process.listeners('uncaughtException').indexOf(die) < 0) {
          process.on('uncaughtException', die);
          process.on('unhandledRejection', die);
        }
        running.add(m.id);
      }
      run(m);
    },
    onMessage: (l) => {
      messageListeners.push(l);
    },
    onExit: (l) => {
      exitListeners.push(l);
    },
    kill: () => exit(null, 'SIGKILL'),
    inProcess: true,
  };
};
