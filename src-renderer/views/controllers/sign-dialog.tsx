/** The dialog that signs a complete capture as a snapshot ("captured by"), on the Controllers screen. */
import { useAppStore } from '../../state/app-store.ts';
import { Outcome, SignerFields, SigningFields, useSigner } from '../../components/signed-form.tsx';
import { SignIcon } from '../../components/icons.tsx';

/**
 * Signs a complete capture as evidence, "captured by" the chosen person. The password is asked for this one
 * signature and forgotten (21 CFR 11.200); the statement shown is exactly what the signature means.
 */
export function SignDialog({ controllerId, captureSha256, onDone }: { controllerId: string; captureSha256: string; onDone: () => void }) {
  const people = useAppStore((s) => s.people);
  const sign = useAppStore((s) => s.signSnapshot);
  // Anyone enrolled may state they captured it; when only one person is enrolled, they are the signer.
  const active = people.filter((p) => !p.revoked);
  const signer = useSigner(active.length === 1 ? active[0]!.employeeId : '');
  const person = people.find((p) => p.employeeId === signer.employeeId);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!signer.employeeId || !signer.password) return;
    if (await signer.run(() => sign({ controllerId, captureSha256, employeeId: signer.employeeId, password: signer.password }), 'Signed.'))
      onDone();
  }

  return (
    <form className="panel form" aria-label="Sign capture" onSubmit={(e) => void submit(e)}>
      <h3>Sign this capture as evidence</h3>
      <SigningFields busy={signer.busy}>
        <SignerFields label="Signer" {...signer} rule={{ roles: null, what: 'sign a capture' }}>
          <p className="statement">
            By signing, {person?.name ?? 'the signer'} states that this snapshot was <strong>captured by</strong> them, now, from this
            controller.
          </p>
        </SignerFields>
        <Outcome error={signer.error} done="" />
        <div className="actions">
          <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
            <SignIcon />
            {signer.busy ? 'Signing…' : 'Sign'}
          </button>
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        </div>
      </SigningFields>
    </form>
  );
}
