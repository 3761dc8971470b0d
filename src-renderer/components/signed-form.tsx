/**
 * The parts every signed form shares: the signer and their password (cleared after each attempt), and the outcome
 * (the refusal with what to do, or what was done).
 */
import { useState } from 'react';
import { useAppStore } from '../state/app-store.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import { eligibleByRole } from '../../src-shared/common/workflow/signer-eligibility.ts';
import { SignIcon, WarningIcon } from './icons.tsx';
import { roleName } from '../../src-shared/common/workflow/role-names.ts';

/** In the demo plant only: the selected person's demo password, next to the field it goes in. */
export function DemoPassword({ employeeId }: { employeeId: string }) {
  const password = useAppStore((st) => st.demoPeople?.people.find((p) => p.employeeId === employeeId)?.password);
  return password ? (
    <span className="demo-password" data-testid="demo-password">
      DEMO password: <code>{password}</code>
    </span>
  ) : null;
}

/** Who may give a signature: holders of one of `roles` (null: anyone enrolled), minus `exclude` (employee id -> why not). */
export interface SignerRule {
  /** The roles, or which of the plant's signature role sets (baseline approval, plant engineering, restore). */
  roles: readonly string[] | null | 'baseline' | 'plantEngineering' | 'restore';
  /** What the signature does, for the sentence shown when nobody may ("approve a baseline"). */
  what: string;
  exclude?: ReadonlyMap<string, string>;
}

/** Who may be chosen, when the caller works it out itself (a change's decision has its own rules). */
export interface Eligible {
  people: readonly { employeeId: string; name: string }[];
  /** Why nobody may sign, or null. */
  none: string | null;
}

/**
 * The one signer form every signature uses: who signs (exactly the people enrolled on this laptop whose roles
 * allow this signature, with why when nobody can) and their password, asked for at every signature. What the
 * signature needs besides (a role, a reason, a checklist) goes in `children`, between the two, so Tab walks the
 * form top to bottom and Enter in the password field signs.
 */
export function SignerFields(props: {
  employeeId: string;
  setEmployeeId(v: string): void;
  password: string;
  setPassword(v: string): void;
  label: string;
  rule?: SignerRule;
  eligible?: Eligible;
  disabled?: boolean;
  /** An optional second signer (a witness, an override): the empty choice reads this, and the password shows once someone is chosen. */
  optional?: string;
  passwordLabel?: string;
  /** What the signature covers, said above the signer ("this decision, the items you confirm and …"). */
  covers?: string;
  children?: React.ReactNode;
}) {
  const people = useAppStore((st) => st.people);
  const roles = useAppStore((st) => st.roles);
  const sets = useAppStore((st) => st.signatureRoles);
  const rule = props.rule ?? { roles: null, what: 'sign' };
  const label = (r: string) => roleName(roles, r);
  const wanted = typeof rule.roles === 'string' ? sets[rule.roles] : rule.roles;
  const eligible = props.eligible ?? eligibleByRole(people, wanted, label, rule.what, rule.exclude);
  const askPassword = props.optional === undefined || props.employeeId !== '';
  return (
    <>
      {props.covers !== undefined && (
        <p className="muted wide" data-testid="signature-covers">
          Your signature covers {props.covers}
        </p>
      )}
      <label>
        {props.label}
        <select value={props.employeeId} disabled={props.disabled} onChange={(e) => props.setEmployeeId(e.target.value)}>
          <option value="">{props.optional ?? 'choose…'}</option>
          {eligible.people.map((x) => (
            <option key={x.employeeId} value={x.employeeId}>
              {x.name} ({x.employeeId})
            </option>
          ))}
        </select>
      </label>
      {eligible.none && (
        <p className="bad-text wide" data-testid="no-signer">
          {eligible.none}
        </p>
      )}
      {props.children}
      {askPassword && (
        <label>
          {props.passwordLabel ?? 'Password'}{' '}
          <input
            type="password"
            autoComplete={props.optional === undefined ? 'current-password' : 'off'}
            value={props.password}
            onChange={(e) => props.setPassword(e.target.value)}
          />
        </label>
      )}
      {askPassword && <DemoPassword employeeId={props.employeeId} />}
    </>
  );
}

/**
 * A signed form's fields, locked while its signature is being recorded. The form empties what was signed once the
 * signature is recorded; meanwhile the change on screen may already show the new state (the journal refresh can
 * come first), and anything chosen in that moment would be emptied with it. Locked, nothing can be.
 */
export function SigningFields({ busy, children }: { busy: boolean; children: React.ReactNode }) {
  return (
    <fieldset className="signing" disabled={busy} aria-busy={busy}>
      {children}
    </fieldset>
  );
}

/** A signed form's outcome: the refusal with what to do, or what was done. */
export function Outcome({ error, done }: { error: ErrorData | null; done: string }) {
  return (
    <>
      {error && (
        <div className="bad-text wide" role="alert">
          <p>
            <WarningIcon />
            {error.message}
          </p>
          <p>What to do: {error.hint}</p>
        </div>
      )}
      {done && (
        <p className="ok-text wide" role="status">
          {done}
        </p>
      )}
    </>
  );
}

/** A signer (`initial`, or nobody yet) and password kept by a form, cleared after each attempt; `busy` while a signature is being recorded. */
export function useSigner(initial = '') {
  const [employeeId, setEmployeeId] = useState(initial);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);
  function settle(err: ErrorData | null, message: string): boolean {
    setPassword('');
    setError(err);
    setDone(err ? '' : message);
    return err === null;
  }
  return {
    employeeId,
    setEmployeeId,
    password,
    setPassword,
    error,
    done,
    busy,
    /** Records the outcome of a signed call; true when it was accepted. */
    settle,
    /**
     * Records one signature: the form is busy (its `SigningFields` locked) until the call and its reload are done,
     * then shows the outcome and, when it was accepted, runs `accepted` (which empties what was signed) before the
     * form unlocks; true when it was accepted.
     */
    async run(sign: () => Promise<ErrorData | null>, message: string, accepted?: () => void): Promise<boolean> {
      setBusy(true);
      try {
        const ok = settle(await sign(), message);
        if (ok) accepted?.();
        return ok;
      } finally {
        setBusy(false);
      }
    },
  };
}

/** A file read as text, with its name. */
export interface PickedFile {
  name: string;
  text: string;
}

/**
 * A form that takes one file and a signature (plant model, roster, policy): the file input, the signer and their
 * password, the submit button, and the outcome; the file input empties after an accepted file.
 */
export function SignedFileForm(props: {
  label: string;
  fileLabel: string;
  fileAriaLabel?: string;
  accept: string;
  signerLabel: string;
  button: string;
  doneVerb: string;
  className?: string;
  children?: React.ReactNode;
  submit(file: PickedFile, signer: { employeeId: string; password: string }): Promise<ErrorData | null>;
  rule?: SignerRule;
}) {
  const signer = useSigner();
  const [file, setFile] = useState<PickedFile | null>(null);
  const [picked, setPicked] = useState(0); // a new key empties the file input
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!file) return;
    if (
      await signer.run(
        () => props.submit(file, { employeeId: signer.employeeId, password: signer.password }),
        `${props.doneVerb} ${file.name}.`,
      )
    ) {
      setFile(null);
      setPicked((k) => k + 1);
    }
  }
  return (
    <form className={props.className ?? 'form'} aria-label={props.label} onSubmit={(e) => void submit(e)}>
      <SigningFields busy={signer.busy}>
        {props.children}
        <label>
          {props.fileLabel}{' '}
          <input
            key={picked}
            type="file"
            aria-label={props.fileAriaLabel ?? props.fileLabel}
            accept={props.accept}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then((text) => setFile({ name: f.name, text }));
            }}
          />
        </label>
        <SignerFields label={props.signerLabel} {...signer} {...(props.rule ? { rule: props.rule } : {})} />
        <div className="actions">
          <button type="submit" className="primary" disabled={!file || !signer.employeeId || !signer.password}>
            <SignIcon />
            {props.button}
          </button>
        </div>
      </SigningFields>
      <Outcome error={signer.error} done={signer.done} />
    </form>
  );
}
