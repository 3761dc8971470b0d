/** A free TCP port on 127.0.0.1, chosen by the OS (for servers whose libraries cannot listen on port 0). */
import { createServer } from 'node:net';

/** Asks the OS for a free loopback port. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}
