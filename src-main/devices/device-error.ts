/**
 * Controller errors (pycomm3/libplctag style: one hierarchy for the device layer). Each says which
 * controller, what was asked and what the device answered, and crosses boundaries as BaselineError data.
 */
import { BaselineError } from '../../src-shared/common/errors.ts';

/** What went wrong talking to a controller. */
export type DeviceErrorKind =
  | 'unreachable' // no route / host down / DNS
  | 'refused' // nothing listens on that port
  | 'no-port' // the serial port does not exist, is not a serial port, or may not be opened
  | 'timeout' // connected, but no (complete) answer in time
  | 'closed' // the peer closed the connection mid-exchange
  | 'protocol' // the device answered with an error status of its protocol
  | 'malformed' // the reply does not parse
  | 'cancelled'
  | 'not-writable'
  | 'readback-mismatch';

/** Builds the user-facing error for a controller fault. */
export function deviceError(
  kind: DeviceErrorKind,
  controller: string,
  what: string,
  detail: string,
  extra: Record<string, unknown> = {},
): BaselineError {
  const hints: Record<DeviceErrorKind, string> = {
    unreachable: "Check the cable, the laptop's IP settings and that the controller is powered; then try again.",
    refused:
      'The controller is reachable but nothing answers on that port: check the port number and that the protocol is enabled on the controller.',
    'no-port':
      'Check the serial port name (for example /dev/ttyUSB0 on Linux, COM3 on Windows), that the USB-serial adapter is plugged in, and that your user may open it (on Linux, the dialout group).',
    timeout:
      'The controller did not answer in time: check it is not overloaded, the unit id / rack and slot, and raise the timeout if the network is slow.',
    closed: 'The connection was closed during the exchange; try again, and check for a second client or a gateway limiting connections.',
    protocol: 'The controller refused the request: check the address exists on the device and the profile is for this controller.',
    malformed: 'The reply could not be understood: check that the port speaks this protocol, or for a faulty gateway.',
    cancelled: 'Nothing more was read or written after the cancel.',
    'not-writable': 'Only tags marked writable in the profile can be restored.',
    'readback-mismatch':
      "The value read back differs from the value written: check the controller's logic is not overwriting it, and do not treat the restore as done.",
  };
  return new BaselineError(`device-${kind}`, `${controller}: ${what}: ${detail}.`, hints[kind], { controller, kind, ...extra });
}

/** Sleeps for `ms`, or rejects as cancelled when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('cancelled'));
      return;
    }
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new Error('cancelled'));
      },
      { once: true },
    );
  });
}

/**
 * `work` until the signal aborts: then it fails at once with `cancelled()` instead of waiting for a device that does
 * not answer. What is left behind ends with the connection, which the job closes next.
 */
export function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined, cancelled: () => Error): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/**
 * Retries an exchange after a timeout or a malformed reply (the next attempt may pass), with exponential backoff
 * (100, 200, 400… ms, at most 2 s), at most `retries` more times; never after the signal aborted. Device answers
 * (protocol errors) and lost connections are not retried: the caller decides.
 */
export async function withRetries<T>(retries: number, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = err instanceof BaselineError ? err.code : '';
      if (attempt >= retries || signal?.aborted || (code !== 'device-timeout' && code !== 'device-malformed')) throw err;
      await sleep(Math.min(2000, 100 * 2 ** attempt), signal).catch(() => {
        throw err;
      });
    }
  }
}
