/**
 * Loaded with `node --import` in a `baseline` child process: records every module the process loads (its own
 * files, packages in node_modules, Node's built-ins imported by name) and, at exit, writes their URLs as JSON to
 * the file named by BASELINE_MODULE_LOG. Used by tests that check what a command loads, not how long it takes.
 */
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

const loaded: string[] = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
const out = process.env['BASELINE_MODULE_LOG'];
if (out) process.on('exit', () => writeFileSync(out, JSON.stringify(loaded)));
