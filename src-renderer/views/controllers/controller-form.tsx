/** The "Add controller" form: how to reach a controller (protocol, address, port, unit, rack and slot) and which profile captures it. */
import { useState } from 'react';
import { useAppStore } from '../../state/app-store.ts';
import { ErrorPanel } from '../../components/error-panel.tsx';
import type { ErrorData } from '../../../src-shared/common/errors.ts';
import type { OperationRequest } from '../../../src-shared/common/api/contract.ts';

type Protocol = 'modbus-tcp' | 's7' | 'logix';
const DEFAULT_PORT: Record<Protocol, number> = { 'modbus-tcp': 502, s7: 102, logix: 44818 };
const PROFILE_PROTOCOL = { 'modbus-tcp': 'modbus', s7: 's7', logix: 'logix' } as const;
/** The CPU's slot as usually fitted: a ControlLogix CPU beside the EtherNet/IP module in slot 0; an S7-1200/1500 CPU in slot 1. */
const DEFAULT_SLOT: Record<Protocol, string> = { 'modbus-tcp': '', s7: '1', logix: '0' };
const SLOT_HINT: Record<Protocol, string> = {
  'modbus-tcp': '',
  s7: "The CPU's slot in the rack: 1 for S7-1200/1500, 2 for S7-300.",
  logix: 'The slot of the CPU (controller) in the chassis, 0 when it sits in the first slot; a CompactLogix CPU is 0.',
};

/** Registers a controller: how to reach it and which profile captures it. */
export function ControllerForm({ onDone }: { onDone: () => void }) {
  const profiles = useAppStore((s) => s.profiles);
  const register = useAppStore((s) => s.registerController);
  const [name, setName] = useState('');
  const [protocol, setProtocol] = useState<Protocol>('modbus-tcp');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('');
  const [unit, setUnit] = useState('1');
  const [rack, setRack] = useState('0');
  const [slot, setSlot] = useState('1');
  const [profileSha, setProfileSha] = useState('');
  const [error, setError] = useState<ErrorData | null>(null);
  const matching = profiles.filter((p) => p.protocol === PROFILE_PROTOCOL[protocol]);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    const p = port.trim() === '' ? DEFAULT_PORT[protocol] : Number(port);
    const target: OperationRequest<'controllers.register'>['target'] =
      protocol === 'modbus-tcp'
        ? { protocol, host: host.trim(), port: p, unitId: Number(unit) }
        : protocol === 's7'
          ? { protocol, host: host.trim(), port: p, rack: Number(rack), slot: Number(slot) }
          : { protocol, host: host.trim(), port: p, slot: Number(slot) };
    const r = await register({ name: name.trim(), target, profileSha256: profileSha || null });
    if ('error' in r) setError(r.error);
    else onDone();
  }

  return (
    <form className="panel form" onSubmit={(e) => void submit(e)} aria-label="Add controller">
      <h3>Add controller</h3>
      <label>
        Name <input required value={name} placeholder="e.g. PLC-L1-PRESS" onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Protocol
        <select
          value={protocol}
          onChange={(e) => {
            const p = e.target.value as Protocol;
            setProtocol(p);
            setSlot(DEFAULT_SLOT[p]);
            setProfileSha('');
          }}
        >
          <option value="modbus-tcp">Modbus TCP</option>
          <option value="s7">Siemens S7</option>
          <option value="logix">Allen-Bradley Logix (EtherNet/IP)</option>
        </select>
      </label>
      <label>
        Address <input required value={host} placeholder="IP address or host name" onChange={(e) => setHost(e.target.value)} />
      </label>
      <label>
        Port{' '}
        <input value={port} placeholder={String(DEFAULT_PORT[protocol])} inputMode="numeric" onChange={(e) => setPort(e.target.value)} />
      </label>
      {protocol === 'modbus-tcp' && (
        <label>
          Unit id <input value={unit} inputMode="numeric" onChange={(e) => setUnit(e.target.value)} />
        </label>
      )}
      {protocol === 's7' && (
        <label>
          Rack <input value={rack} inputMode="numeric" onChange={(e) => setRack(e.target.value)} />
        </label>
      )}
      {protocol !== 'modbus-tcp' && (
        <label>
          {protocol === 'logix' ? 'CPU slot' : 'Slot'}{' '}
          <input value={slot} inputMode="numeric" aria-describedby="slot-hint" onChange={(e) => setSlot(e.target.value)} />
          <span id="slot-hint" className="field-hint">
            {SLOT_HINT[protocol]}
          </span>
        </label>
      )}
      <label>
        Capture profile
        <select value={profileSha} onChange={(e) => setProfileSha(e.target.value)}>
          <option value="">(none yet)</option>
          {matching.map((p) => (
            <option key={p.sha256} value={p.sha256}>
              {p.name} ({p.tags} tags)
            </option>
          ))}
        </select>
      </label>
      {error && (
        <div className="wide">
          <ErrorPanel error={error} title="The controller was not added" />
        </div>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          Add
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
