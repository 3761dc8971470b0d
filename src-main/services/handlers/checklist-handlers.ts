/** The checklist templates in force and adopting a revision; the checklist runner of a change in execution. */
import type { CHECKLIST_OPERATIONS } from '../../../src-shared/common/api/checklist-contract.ts';
import type { BaselineApp } from '../baseline-app.ts';
import type { DomainHandlers } from './handler-types.ts';

/** Handlers of the checklist operations. */
export function checklistHandlers(app: BaselineApp): DomainHandlers<typeof CHECKLIST_OPERATIONS> {
  return {
    'checklists.get': () => app.checklistTemplates.inForce(),
    'checklists.adopt': (req) => app.checklistTemplates.adopt(req.yaml, req.source, req.employeeId, req.password, app.actor()),
    'checklists.forChange': (req) => app.checklists.view(req.changeId),
    'checklists.tick': (req) => ({
      status: app.checklists.tick(
        req.changeId,
        req.employeeId,
        {
          template: req.template,
          item: req.item,
          ticked: req.ticked,
          ...(req.note !== undefined ? { note: req.note } : {}),
          attachments: (req.attachments ?? []).map((a) => ({
            name: a.name,
            mediaType: a.mediaType,
            bytes: Buffer.from(a.dataBase64, 'base64'),
          })),
        },
        app.actor(),
      ).status,
    }),
    'checklists.attachment': (req) => {
      const a = app.checklists.attachment(req.changeId, req.sha256);
      return { name: a.name, mediaType: a.mediaType, dataBase64: a.bytes.toString('base64') };
    },
  };
}
