/**
 * Opens and closes a plain TCP connection to tell "refused", "unreachable" and "no answer" apart before a
 * library that reports every socket failure the same way (st-ethernet-ip: "SOCKET error") gets to try.
 */
import { connect } from 'node:net';
import { deviceError } from './device-error.ts';

/** Resolves when something accepts TCP connections at host:port; otherwise throws a device error. */
export function probeTcp(host: string, port: number, timeoutMs: number, controller: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(deviceError('timeout', controller, 'connecting', `no TCP connection within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      if (err.code === 'ECONNREFUSED') reject(deviceError('refused', controller, 'connecting', 'connection refused'));
      else if (['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL'].includes(err.code ?? ''))
        reject(deviceError('unreachable', controller, 'connecting', `host unreachable (${err.code})`));
      else reject(deviceError('closed', controller, 'connecting', err.message));
    });
  });
}
