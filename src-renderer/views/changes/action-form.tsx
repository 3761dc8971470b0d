/**
 * One signed action's form on the change screen, built from the signed-actions table: its title, who may sign, what
 * the signature covers, the role it is signed as (the table's "Signing as" field), the co-signer blocks (a witness,
 * a countersigning supervisor, an override approver, a break-glass approver) with their labels, and the request
 * checked against the action's own schema before it is sent, a problem shown by the field's label ("Reason:
 * required"). The widgets of the action's own fields (a checklist, a table of explanations) are the caller's children,
 * labelled with `fieldLabel`.
 */
import { useState, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, SigningFields, useSigner, type SignerRule } from '../../components/signed-form.tsx';
import { SignIcon } from '../../components/icons.tsx';
import { roleName } from '../../../src-shared/common/workflow/role-names.ts';
import { eligibleByRole, type Eligibility } from '../../../src-shared/common/workflow/signer-eligibility.ts';
import {
  SIGNED_ACTIONS,
  actionFieldLabels,
  type CosignerSpec,
  type SignedAction,
  type SignedActionType,
} from '../../../src-shared/common/workflow/signed-actions.ts';
import { OVERRIDE_FIELD_LABELS, actionProblem, signatureCovers } from '../../../src-shared/common/workflow/signed-action-words.ts';

/** A form's signer state (`useSigner`). */
export type Signer = ReturnType<typeof useSigner>;

/** The label of one of an action's fields, from the table. */
export function fieldLabel(type: SignedActionType, name: string): string {
  const label = actionFieldLabels(type)[name];
  if (label === undefined) throw new Error(`${type} has no field ${name} in the signed-actions table`);
  return label;
}

/** A co-signer block's list and widgets of its own (an override's role and reason are built in). */
export interface CosignerOptions {
  /** Who may co-sign (default: everyone enrolled but the signer; the service checks the rest). */
  eligible?: Eligibility;
  /** Widgets inside the block, after the co-signer is chosen (the break-glass approver's role and method). */
  children?: ReactNode;
  /** Called when another co-signer is chosen. */
  onChange?(employeeId: string): void;
}

/** Who may countersign explanations: shift supervisors not on the change (`exclude`: employee id -> why not). */
export function useCountersigners(exclude: ReadonlyMap<string, string>): Eligibility {
  const people = useAppStore((st) => st.people);
  const roles = useAppStore((st) => st.roles);
  return eligibleByRole(people, ['shift-supervisor'], (r) => roleName(roles, r), 'countersign explanations', exclude);
}

/** A co-signer's state kept by the form (an override's own fields besides). */
function useCosigner() {
  const signer = useSigner();
  const [role, setRole] = useState('');
  const [rule, setRule] = useState<'outside-window' | 'blackout'>('outside-window');
  const [blackout, setBlackout] = useState('');
  const [reason, setReason] = useState('');
  return { signer, role, setRole, rule, setRule, blackout, setBlackout, reason, setReason };
}
type Cosigner = ReturnType<typeof useCosigner>;

/** The signer fields' props from a `useSigner` state. */
function pick(s: Signer) {
  return { employeeId: s.employeeId, setEmployeeId: s.setEmployeeId, password: s.password, setPassword: s.setPassword };
}

/** What the co-signer blocks add to a request. */
function cosignerRequest(specs: readonly CosignerSpec[], co: readonly Cosigner[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  specs.forEach((c, i) => {
    const x = co[i]!;
    const id = x.signer.employeeId;
    if (c.within === 'override') {
      if (id === '') return;
      const blackout = x.rule === 'blackout' && x.blackout.trim() !== '' ? { blackout: x.blackout } : {};
      out[c.within] = { employeeId: id, password: x.signer.password, role: x.role, rule: x.rule, ...blackout, reason: x.reason };
    } else if (id !== '' || c.required === 'always') {
      out[c.employeeIdField] = id;
      if (x.signer.password !== '' || c.required !== 'now-or-later') out[c.passwordField] = x.signer.password;
    }
  });
  return out;
}

/** One co-signer block: the person, their password and, for an override, the override's own fields. */
function CosignerBlock({
  type,
  spec,
  co,
  options,
}: {
  type: SignedActionType;
  spec: CosignerSpec;
  co: Cosigner;
  options: CosignerOptions;
}) {
  const people = useAppStore((st) => st.people);
  const roles = useAppStore((st) => st.roles);
  const eligible = options.eligible ?? { people: people.filter((p) => !p.revoked), none: null };
  const setEmployeeId = (id: string) => {
    co.signer.setEmployeeId(id);
    co.setRole('');
    options.onChange?.(id);
  };
  if (spec.within === 'override') {
    const held = people.find((p) => p.employeeId === co.signer.employeeId)?.roles ?? [];
    return (
      <fieldset className="wide override" aria-label="Override">
        <legend>
          {fieldLabel(type, spec.within)}: signed by {spec.who}
        </legend>
        <SignerFields
          label={OVERRIDE_FIELD_LABELS.employeeId}
          optional="no override"
          passwordLabel={OVERRIDE_FIELD_LABELS.password}
          eligible={eligible}
          {...pick(co.signer)}
          setEmployeeId={setEmployeeId}
        >
          {co.signer.employeeId && (
            <>
              <label>
                {OVERRIDE_FIELD_LABELS.role}
                <select value={co.role} onChange={(e) => co.setRole(e.target.value)}>
                  <option value="">choose…</option>
                  {held.map((r) => (
                    <option key={r} value={r}>
                      {roleName(roles, r)}
                    </option>
                  ))}
                </select>
              </label>
              <label>
                {OVERRIDE_FIELD_LABELS.rule}
                <select value={co.rule} onChange={(e) => co.setRule(e.target.value as 'outside-window' | 'blackout')}>
                  <option value="outside-window">outside every change window</option>
                  <option value="blackout">inside a blackout</option>
                </select>
              </label>
              {co.rule === 'blackout' && (
                <label>
                  {OVERRIDE_FIELD_LABELS.blackout} <input value={co.blackout} onChange={(e) => co.setBlackout(e.target.value)} />
                </label>
              )}
              <label className="wide">
                {OVERRIDE_FIELD_LABELS.reason} <textarea rows={2} value={co.reason} onChange={(e) => co.setReason(e.target.value)} />
              </label>
            </>
          )}
        </SignerFields>
      </fieldset>
    );
  }
  const optional = spec.required === 'when-the-policy-requires' ? 'none' : undefined;
  return (
    <>
      <p className="muted wide" data-testid="who-cosigns">
        {`${spec.label}: ${spec.who}${spec.required === 'when-the-policy-requires' ? ', when the policy requires one' : ''}.`}
      </p>
      <SignerFields
        label={spec.label}
        passwordLabel={fieldLabel(type, spec.passwordField)}
        eligible={eligible}
        {...(optional !== undefined ? { optional } : {})}
        {...pick(co.signer)}
        setEmployeeId={setEmployeeId}
      >
        {co.signer.employeeId !== '' && options.children}
      </SignerFields>
    </>
  );
}

/** The form of one signed action (`type`; null while the decision form has none chosen). */
export function ActionForm(props: {
  type: SignedActionType | null;
  changeId: string;
  /** The form's accessible name (default: the table's title). */
  name?: string;
  /** The heading shown above the fields (default: the table's title; null: none, the panel or `lead` names it). */
  heading?: ReactNode;
  /** First in the form: what is being signed (the decision picker, a checklist). */
  lead?: ReactNode;
  /** Who may sign: by role, or as the caller works it out (with the roles each may sign as). */
  rule?: SignerRule;
  eligible?: Eligibility;
  signerLabel?: string;
  /** When the role is chosen from a list: always (the decision panel), or only when the signer holds several (default). */
  roleChoice?: 'always' | 'when-several';
  /** The signer, when the caller keeps it; otherwise the form does. */
  signer?: Signer;
  /** The widgets of the action's own fields, between the signer and their password. */
  children?: ReactNode;
  /** Options of the co-signer blocks, by how they co-sign. */
  cosigners?: Partial<Record<CosignerSpec['as'], CosignerOptions>>;
  /** The action's own fields as the form holds them (the role and the co-signers are added). */
  fields(): Record<string, unknown>;
  /** Whatever else must hold before signing (the proposal shown, a snapshot chosen). */
  ready?: boolean;
  /** Shown between the fields and the button (a gate, the outcome of a decision matrix). */
  note?: ReactNode;
  button?: string;
  done: string | (() => string);
  /** After an accepted signature, before the form unlocks: empty what was signed. */
  onAccepted?(): void;
  className?: string;
}) {
  const s = useAppStore(useShallow((st) => ({ people: st.people, roles: st.roles, sets: st.signatureRoles, act: st.actOnChange })));
  const own = useSigner();
  const signer = props.signer ?? own;
  // At most two co-signers sign one action (a witness and an override): the hooks stay the same whichever is chosen.
  const co = [useCosigner(), useCosigner()];
  const [role, setRole] = useState('');
  const [shownType, setShownType] = useState(props.type);
  const { type } = props;
  if (shownType !== type) {
    setShownType(type);
    setRole('');
    for (const x of co) x.signer.setEmployeeId('');
  }
  const spec = type === null ? null : SIGNED_ACTIONS[type];
  const specs = spec?.cosigners ?? [];
  const label = (r: string) => roleName(s.roles, r);
  const rule = props.rule ?? { roles: null, what: spec ? spec.title.toLowerCase() : 'sign' };
  const wanted = typeof rule.roles === 'string' ? s.sets[rule.roles] : rule.roles;
  const eligible = props.eligible ?? eligibleByRole(s.people, wanted, label, rule.what, rule.exclude);
  const chosen = eligible.people.find((p) => p.employeeId === signer.employeeId);
  const withRole = type !== null && spec !== null && 'role' in spec.fields;
  const roleChoices = chosen?.roles ?? [];
  const signedRole = roleChoices.length === 1 ? roleChoices[0]! : role;
  const others = { people: s.people.filter((p) => !p.revoked && p.employeeId !== signer.employeeId), none: null };
  const cosignersReady = specs.every((c, i) => {
    const x = co[i]!.signer;
    return x.employeeId === '' || x.password !== '' || c.required === 'now-or-later';
  });
  const ready = type !== null && chosen !== undefined && signer.password !== '' && cosignersReady && (props.ready ?? true) && !signer.busy;

  async function sign(e: React.FormEvent) {
    e.preventDefault();
    if (!ready || type === null) return;
    const request = {
      type,
      ...(withRole && signedRole !== '' ? { role: signedRole } : {}),
      ...props.fields(),
      ...cosignerRequest(specs, co),
    };
    for (const x of co) x.signer.setPassword('');
    const problem = actionProblem(request);
    if (problem !== null) {
      signer.settle({ code: 'invalid-request', message: problem.message, hint: `Fill in ${problem.field}, then sign again.` }, '');
      return;
    }
    await signer.run(
      () => s.act({ id: props.changeId, employeeId: signer.employeeId, password: signer.password, action: request as SignedAction }),
      typeof props.done === 'string' ? props.done : props.done(),
      () => {
        signer.setEmployeeId('');
        setRole('');
        for (const x of co) {
          x.signer.setEmployeeId('');
          x.setRole('');
          x.setReason('');
          x.setBlackout('');
        }
        props.onAccepted?.();
      },
    );
  }

  const heading = props.heading === undefined ? spec && <h4 className="wide">{spec.title}</h4> : props.heading;
  return (
    <form
      className={props.className ?? 'form'}
      aria-label={props.name ?? spec?.title ?? 'Sign'}
      data-action={type ?? ''}
      onSubmit={(e) => void sign(e)}
    >
      {heading}
      <SigningFields busy={signer.busy}>
        {props.lead}
        {spec && (
          <p className="muted wide who-signs" data-testid="who-signs">
            {`Who signs: ${spec.signerText}.`}
          </p>
        )}
        <SignerFields
          label={props.signerLabel ?? 'Signed by'}
          {...pick(signer)}
          disabled={type === null}
          eligible={eligible}
          {...(type !== null ? { covers: signatureCovers(type) } : {})}
          setEmployeeId={(id) => {
            signer.setEmployeeId(id);
            setRole('');
          }}
        >
          {withRole && type !== null && roleChoices.length === 1 && props.roleChoice !== 'always' && (
            <p className="muted" data-testid="signing-as">
              {`${fieldLabel(type, 'role')} ${label(signedRole)}`}
            </p>
          )}
          {withRole && type !== null && (roleChoices.length > 1 || (roleChoices.length === 1 && props.roleChoice === 'always')) && (
            <label>
              {fieldLabel(type, 'role')}
              <select value={signedRole} onChange={(e) => setRole(e.target.value)}>
                <option value="">choose…</option>
                {roleChoices.map((r) => (
                  <option key={r} value={r}>
                    {label(r)}
                  </option>
                ))}
              </select>
            </label>
          )}
          {props.children}
          {type !== null &&
            specs.map((c, i) => (
              <CosignerBlock
                key={`${type}-${c.as}`}
                type={type}
                spec={c}
                co={co[i]!}
                options={{ eligible: others, ...props.cosigners?.[c.as] }}
              />
            ))}
        </SignerFields>
        {props.note}
        <Outcome error={signer.error} done={signer.done} />
        <div className="actions">
          <button type="submit" className="primary" disabled={!ready}>
            <SignIcon />
            {signer.busy ? 'Signing…' : (props.button ?? 'Sign')}
          </button>
        </div>
      </SigningFields>
    </form>
  );
}
