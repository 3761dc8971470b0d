/**
 * A bare st-ethernet-ip client run as a child process by the fault tests: connects to 127.0.0.1:<port>, reads
 * one tag, prints what happened and exits 0 (read), 3 (promise rejected). An exception thrown from
 * st-ethernet-ip's socket handlers is uncaught and ends the process with Node's code 1, which is the point.
 */
import { createRequire } from 'node:module';
import eip from 'st-ethernet-ip';

const require = createRequire(import.meta.url);
// st-ethernet-ip always dials its EIP_PORT constant (44818); point it at the given loopback port.
(require('st-ethernet-ip/dist/config.js') as { EIP_PORT: number }).EIP_PORT = Number(process.argv[2]);
const plc = new eip.Controller();
plc.timeout_sp = Number(process.argv[4] ?? 1500);
plc
  .connect('127.0.0.1', 0, false)
  .then(async () => {
    const tag = new eip.Tag(process.argv[3] ?? 'Count');
    await plc.readTag(tag);
    process.stdout.write(`read ${String(tag.value)}\n`);
    process.exit(0);
  })
  .catch((err: unknown) => {
    process.stdout.write(`rejected ${err instanceof Error ? err.message : JSON.stringify(err)}\n`);
    process.exit(3);
  });
