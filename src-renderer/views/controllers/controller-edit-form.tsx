import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import type { ControllerView } from '../../../src-shared/common/api/contract.ts';
import { Outcome, SignerFields, useSigner, type SignerRule } from '../../components/signed-form.tsx';

/** Controllers are corrected and retired by plant engineering, like placing them on a line. */
const PLANT_RULE: SignerRule = { roles: 'plantEngineering', what: 'edit or retire a controller' };
const PROFILE_PROTOCOL = { 'modbus-tcp': 'modbus', 'modbus-rtu': 'modbus', s7: 's7', logix: 'logix' } as const;
const FIELD_LABELS: Record<string, string> = {
  host: 'Address',
  port: 'Port',
  unitId: 'Unit id',
  rack: 'Rack',
  slot: 'CPU slot',
  serialPath: 'Serial port',
  baudRate: 'Baud rate',
  wordOrder: 'Word order',
};

/**
 * Corrects a controller's name, address or capture profile (signed, with a reason; the journal keeps the values
 * before and after), or retires it (signed; refused while an open change targets it).
 */
export function ControllerEditForm({
  controller,
  mode,
  onDone,
}: {
  controller: ControllerView;
  mode: 'edit' | 'retire';
  onDone: () => void;
}) {
  const profiles = useAppStore((s) => s.profiles);
  const change = useAppStore((s) => s.changeController);
  const signer = useSigner();
  const [name, setName] = useState(controller.name);
  const [fields, setFields] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(controller.target)
        .filter(([k]) => k !== 'protocol')
        .map(([k, v]) => [k, String(v)]),
    ),
  );
  const [profileSha, setProfileSha] = useState(controller.profile?.sha256 ?? '');
  const [reason, setReason] = useState('');
  const matching = profiles.filter((p) => p.protocol === PROFILE_PROTOCOL[controller.target.protocol]);
  const original = controller.target as Record<string, unknown>;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const signed = { controllerId: controller.id, reason, employeeId: signer.employeeId, password: signer.password };
    if (mode === 'retire') {
      if (signer.settle(await change('controllers.retire', signed), `${controller.name} retired.`)) onDone();
      return;
    }
    const target = {
      protocol: controller.target.protocol,
      ...Object.fromEntries(
        Object.entries(fields).map(([k, v]) => [
          k,
          typeof original[k] === 'number' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v.trim(),
        ]),
      ),
    };
    const err = await change('controllers.edit', {
      ...signed,
      name: name.trim(),
      target: target as ControllerView['target'],
      profileSha256: profileSha || null,
    });
    if (signer.settle(err, `${name.trim()} saved.`)) onDone();
  }

  return (
    <form
      className="panel form"
      aria-label={mode === 'edit' ? `Edit ${controller.name}` : `Retire ${controller.name}`}
      onSubmit={(e) => void submit(e)}
    >
      <h3>{mode === 'edit' ? `Edit ${controller.name}` : `Retire ${controller.name}`}</h3>
      {mode === 'edit' ? (
        <>
          <label>
            Name <input value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          {Object.keys(fields).map((k) => (
            <label key={k}>
              {FIELD_LABELS[k] ?? k}
              {k === 'wordOrder' ? (
                <select value={fields[k]} onChange={(e) => setFields({ ...fields, [k]: e.target.value })}>
                  <option value="high-first">high word first</option>
                  <option value="low-first">low word first</option>
                </select>
              ) : (
                <input
                  value={fields[k]}
                  inputMode={typeof original[k] === 'number' ? 'numeric' : undefined}
                  onChange={(e) => setFields({ ...fields, [k]: e.target.value })}
                />
              )}
              {k === 'slot' && controller.target.protocol === 'logix' && (
                <span className="field-hint">0 when the CPU sits in the first slot of the chassis (CompactLogix: 0).</span>
              )}
            </label>
          ))}
          <label>
            Capture profile
            <select value={profileSha} onChange={(e) => setProfileSha(e.target.value)}>
              <option value="">(none)</option>
              {matching.map((p) => (
                <option key={p.sha256} value={p.sha256}>
                  {p.name} ({p.tags} tags)
                </option>
              ))}
            </select>
          </label>
        </>
      ) : (
        <p className="muted wide">
          A retired controller leaves the lists and pickers; its captures, signed snapshots, baselines and changes stay in the journal,
          readable and verifiable. A controller that an open change targets cannot be retired.
        </p>
      )}
      <label className="wide">
        Reason{' '}
        <input
          value={reason}
          placeholder={mode === 'edit' ? 'e.g. CPU is in slot 0, not 1' : 'e.g. replaced by PLC-L07-PALLETISER-2'}
          onChange={(e) => setReason(e.target.value)}
        />
      </label>
      <SignerFields
        label="Signed by"
        rule={PLANT_RULE}
        employeeId={signer.employeeId}
        setEmployeeId={signer.setEmployeeId}
        password={signer.password}
        setPassword={signer.setPassword}
      />
      <div className="actions">
        <button type="submit" className="primary" disabled={!signer.employeeId || !signer.password}>
          {mode === 'edit' ? 'Sign and save' : 'Sign and retire'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      <Outcome error={signer.error} done={signer.done} />
    </form>
  );
}
