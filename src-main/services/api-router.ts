/**
 * The boundary every transport calls: checks the operation name, validates the request against the
 * contract's schema, runs the handler, and returns an envelope (errors as data, never a stack trace).
 * The handlers live by domain in `handlers/` (one file per part of the contract); this file joins them.
 */
import type * as z from 'zod';
import { OPERATIONS, isOperationName } from '../../src-shared/common/api/contract.ts';
import type { Envelope } from '../../src-shared/common/api/transport.ts';
import { BaselineError, toErrorData } from '../../src-shared/common/errors.ts';
import type { BaselineApp } from './baseline-app.ts';
import { appHandlers as appOwnHandlers } from './handlers/app-handlers.ts';
import { captureHandlers } from './handlers/capture-handlers.ts';
import { changeHandlers } from './handlers/change-handlers.ts';
import { changeCaptureHandlers } from './handlers/change-capture-handlers.ts';
import { evidenceHandlers } from './handlers/evidence-handlers.ts';
import type { DemoHost, Handlers } from './handlers/handler-types.ts';
import { journalHandlers } from './handlers/journal-handlers.ts';
import { kpiHandlers } from './handlers/kpi-handlers.ts';
import { peopleHandlers } from './handlers/people-handlers.ts';
import { plantHandlers } from './handlers/plant-handlers.ts';
import { policyHandlers } from './handlers/policy-handlers.ts';
import { snapshotHandlers } from './handlers/snapshot-handlers.ts';
import { syncHandlers } from './handlers/sync-handlers.ts';
import { controllerEditHandlers } from './handlers/controller-edit-handlers.ts';
import { searchHandlers } from './handlers/search-handlers.ts';
import { lineCaptureHandlers } from './handlers/line-capture-handlers.ts';
import { tagValuesHandlers } from './handlers/tag-values-handlers.ts';
import { auditHandlers } from './handlers/audit-handlers.ts';
import { checklistHandlers } from './handlers/checklist-handlers.ts';

export type { DemoHost, Handlers } from './handlers/handler-types.ts';

/** The handlers of a running app (`host`: the program serving it, when it can switch to the demo plant). */
export function appHandlers(app: BaselineApp, host: DemoHost | null = null): Handlers {
  return {
    ...appOwnHandlers(app, host),
    ...syncHandlers(app),
    ...journalHandlers(app),
    ...captureHandlers(app),
    ...snapshotHandlers(app),
    ...policyHandlers(app),
    ...plantHandlers(app),
    ...changeHandlers(app),
    ...peopleHandlers(app),
    ...evidenceHandlers(app),
    ...kpiHandlers(app),
    ...controllerEditHandlers(app),
    ...searchHandlers(app),
    ...lineCaptureHandlers(app),
    ...tagValuesHandlers(app),
    ...auditHandlers(app),
    ...changeCaptureHandlers(app),
    ...checklistHandlers(app),
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(request)'}: ${i.message}`).join('; ');
}

/** Validates and dispatches calls for any transport. */
export class ApiRouter {
  private readonly handlers: Handlers;

  constructor(handlers: Handlers) {
    this.handlers = handlers;
  }

  /** Runs one call from an untrusted client. Never throws. */
  async call(op: unknown, rawRequest: unknown): Promise<Envelope<unknown>> {
    try {
      if (!isOperationName(op)) {
        throw new BaselineError(
          'unknown-operation',
          `"${String(op)}" is not an operation Baseline offers.`,
          'Update the client: it and the app must be the same version.',
          { op: String(op) },
        );
      }
      const schema = OPERATIONS[op].request as z.ZodType;
      const parsed = schema.safeParse(rawRequest ?? {});
      if (!parsed.success) {
        throw new BaselineError(
          'invalid-request',
          `The request for ${op} is malformed: ${describeIssues(parsed.error)}.`,
          'Nothing was changed. Send the fields the API contract declares for this operation.',
          { op },
        );
      }
      const handler = this.handlers[op] as (req: unknown) => unknown;
      return { ok: true, value: await handler(parsed.data) };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  }
}
