/**
 * Runs controller drivers in a separate process and keeps it alive (ARCHITECTURE §5). The protocol libraries
 * throw uncaught errors from socket handlers on malformed replies; in the device process that costs the job
 * in progress (failed with the reason), never the app. A dead process is restarted for the next job; a job
 * that overruns its deadline gets the process killed so a hung driver cannot hold the app.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BaselineError } from '../../../src-shared/common/errors.ts';
import type { DeviceJob, FromDevice, JobProgress, ToDevice } from './device-messages.ts';

/** The transport to a device process: Node's child_process under the CLI/web host, utilityProcess under Electron. */
export interface DeviceProcessHandle {
  send(message: ToDevice): void;
  onMessage(listener: (message: FromDevice) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  /**
   * True when the drivers run inside the calling process (one-shot commands, in-process-device.ts): no device
   * process exists to restart, so a crash's advice is to run the command again.
   */
  readonly inProcess?: boolean;
}

/** Starts a device process; the default forks `device-worker.ts` with this Node. */
export type SpawnDeviceProcess = () => DeviceProcessHandle;

/** Forks the device worker as a Node child process (web host, CLI, tests; Electron uses utilityProcess). */
export const forkDeviceProcess: SpawnDeviceProcess = () => {
  // Resolved here, not at module load: the Electron bundle is CommonJS, where import.meta is empty. Run from the
  // sources this module is .ts and so is the worker beside it; in the CLI bundle (dist/cli/) both are .js.
  const worker = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './device-worker.ts' : './device-worker.js', import.meta.url));
  const child: ChildProcess = fork(worker, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (l) => {
      child.on('message', (m) => l(m as FromDevice));
    },
    onExit: (l) => {
      child.on('exit', (code, signal) => l(code, signal));
    },
    kill: () => {
      child.kill('SIGKILL');
    },
  };
};

/** What to do after a driver crash, in the words of where the driver ran. */
export function crashHint(inProcess: boolean): string {
  const again = 'If it happens again, the controller or a device between it and this laptop is sending malformed replies.';
  return inProcess
    ? `Nothing from the failed read was kept; run the command again. ${again}`
    : `The device process was started afresh for the next job; try again. ${again}`;
}

/** Options of one job. */
export interface JobOptions {
  signal?: AbortSignal;
  onProgress?: (p: JobProgress) => void;
  /** The job fails (and the process is killed) when it runs longer than this. */
  deadlineMs?: number;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: BaselineError): void;
  onProgress: ((p: JobProgress) => void) | undefined;
  timer: NodeJS.Timeout | null;
  describe: string;
}

/** Supervises one device process and routes jobs to it. */
export class DeviceSupervisor {
  private readonly spawn: SpawnDeviceProcess;
  private proc: DeviceProcessHandle | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lastCrash: string | null = null;
  private restarts = 0;
  private closed = false;

  constructor(spawn: SpawnDeviceProcess = forkDeviceProcess) {
    this.spawn = spawn;
  }

  /** How many times the device process died and was replaced. */
  get restartCount(): number {
    return this.restarts;
  }

  private ensure(): DeviceProcessHandle {
    if (this.proc) return this.proc;
    const proc = this.spawn();
    this.proc = proc;
    proc.onMessage((m) => this.onMessage(m));
    proc.onExit((code, signal) => {
      if (this.proc === proc) this.proc = null;
      const reason = this.lastCrash ?? `the device process exited (${signal ?? `code ${code}`})`;
      this.lastCrash = null;
      if (!this.closed) this.restarts++;
      this.failAll(
        new BaselineError('device-process-crashed', `The controller connection failed: ${reason}.`, crashHint(proc.inProcess === true), {
          reason,
        }),
      );
    });
    return proc;
  }

  private failAll(err: BaselineError): void {
    for (const [id, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }

  private onMessage(m: FromDevice): void {
    if (m.type === 'crash') {
      this.lastCrash = m.message;
      return;
    }
    if (m.type === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.(m.progress);
      return;
    }
    if (p.timer) clearTimeout(p.timer);
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(new BaselineError(m.error.code, m.error.message, m.error.hint, m.error.details));
  }

  /** Runs a job in the device process. */
  run<T>(job: DeviceJob, options: JobOptions = {}): Promise<T> {
    if (this.closed)
      return Promise.reject(new BaselineError('device-process-closed', 'The device process has been shut down.', 'Restart Baseline.'));
    if (options.signal?.aborted) {
      return Promise.reject(new BaselineError('cancelled', `${job.kind} was cancelled before it started.`, 'Start it again when ready.'));
    }
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = {
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: options.onProgress,
        timer: null,
        describe: job.kind,
      };
      if (options.deadlineMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.lastCrash = `${job.kind} did not finish within ${options.deadlineMs} ms (the driver hung)`;
          proc.kill();
        }, options.deadlineMs);
      }
      this.pending.set(id, entry);
      options.signal?.addEventListener('abort', () => proc.send({ type: 'cancel', id }), { once: true });
      proc.send({ type: 'job', id, job });
    });
  }

  /** Stops the device process; pending jobs fail. */
  close(): void {
    this.closed = true;
    this.proc?.kill();
    this.proc = null;
  }
}
