/**
 * Where each signed action of the signed-actions table is signed on the change screen: the panel holding its form
 * and the form's name there. The compiler checks that every action has one (a new table entry without a form does
 * not build). Every form is an `ActionForm` (action-form.tsx), so its title, who signs, what the signature covers,
 * its field labels and its co-signers come from the table; the re-capture proof of a manual rollback is signed through
 * the capture's own call (which records the action), and its form shows the table's who-signs and covers too.
 */
import type { SignedActionType } from '../../../src-shared/common/workflow/signed-actions.ts';
import { CheckpointPanel } from './checkpoint-panel.tsx';
import { ExecutionClockPanel } from './execution-clock-panel.tsx';
import { ExecutionSnapshots } from './execution-snapshots.tsx';
import { ExplainRows } from './explain-rows.tsx';
import { ManualRollbackPanel } from './manual-rollback-panel.tsx';
import { ReviewActions } from './review-actions.tsx';
import { SignDecisionForm } from './sign-decision-form.tsx';

/** A panel of the change screen that holds signing forms. */
type Panel =
  | typeof SignDecisionForm
  | typeof CheckpointPanel
  | typeof ExecutionClockPanel
  | typeof ExecutionSnapshots
  | typeof ExplainRows
  | typeof ManualRollbackPanel
  | typeof ReviewActions;

/** One action's form: the panel holding it and the form's accessible name there (a pattern where it names its subject). */
export interface ChangeFormPlace {
  panel: Panel;
  form: string | RegExp;
}

const decision = { panel: SignDecisionForm, form: 'Sign a decision' };

/** Every signed action's form on the change screen. */
export const CHANGE_FORMS = {
  submit: decision,
  withdraw: decision,
  approve: decision,
  'approve-with-conditions': decision,
  reject: decision,
  defer: decision,
  schedule: decision,
  'break-glass': decision,
  'start-execution': decision,
  rollback: decision,
  close: decision,
  'retrospective-review': decision,
  'record-snapshot': { panel: ExecutionSnapshots, form: 'Record a snapshot' },
  checkpoint: { panel: CheckpointPanel, form: /^Checkpoint: / },
  explain: { panel: ExplainRows, form: 'Explain the differences' },
  'window-decision': { panel: ExecutionClockPanel, form: 'Decision at the end of the window' },
  'safety-sign-off': { panel: ReviewActions, form: 'Safety sign-off before CLOSE' },
  'confirm-break-glass': { panel: ReviewActions, form: / signs the break-glass approval$/ },
  'emergency-report': { panel: ReviewActions, form: 'Emergency report' },
  'rollback-decision': { panel: ReviewActions, form: 'Something went wrong? The rollback decision' },
  'manual-rollback': { panel: ManualRollbackPanel, form: 'Manual rollback procedure' },
  'rollback-proof': { panel: ManualRollbackPanel, form: 'Sign the re-capture' },
  'post-implementation-review': { panel: ReviewActions, form: /^Post-implementation review/ },
} satisfies Record<SignedActionType, ChangeFormPlace>;
