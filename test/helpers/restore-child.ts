/**
 * A Baseline process that runs one restore of a rolled-back change and nothing else, for the test that kills the
 * app mid-restore: argv = home, change id, controller id, decision id, writes (JSON), the preview's capture hash. It prints "written TAG STATUS"
 * each time a value's outcome is in the journal, and "done" at the end.
 */
import { BaselineApp } from '../../src-main/services/baseline-app.ts';
import { filePermissionsProtection } from '../../src-main/store/device-key-store.ts';

const [home, changeId, controllerId, decisionId, writesJson, previewCaptureSha256] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const app = BaselineApp.open({ home, transport: 'in-process', keyProtection: filePermissionsProtection });
app.journal.onAppended((e) => {
  if (e.type === 'restore.written') {
    const p = e.payload as { tag: string; status: string };
    process.stdout.write(`written ${p.tag} ${p.status}\n`);
  }
});
await app.changeRestores.run(
  changeId,
  controllerId,
  JSON.parse(writesJson) as { tag: string; value: number | boolean | string }[],
  decisionId,
  app.controllers.get(controllerId).name,
  app.actor(),
  previewCaptureSha256,
);
process.stdout.write('done\n');
app.close();
