/** The plant's checklist templates in force (revision, who adopted them), and adopting a new revision signed by plant engineering. */
import { useEffect, useState } from 'react';
import { errorOf, selectPlantZone, useAppStore } from '../../state/app-store.ts';
import type { OperationResponse } from '../../../src-shared/common/api/contract.ts';
import { SignedFileForm } from '../../components/signed-form.tsx';
import { formatPlant } from '../../components/plant-time.tsx';

/** The templates in force and the adoption form; re-read after an adoption. */
export function ChecklistsPanel() {
  const api = useAppStore((s) => s.api);
  const zone = useAppStore(selectPlantZone);
  const [inForce, setInForce] = useState<OperationResponse<'checklists.get'> | null>(null);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let live = true;
    if (api)
      void api.invoke('checklists.get', {}).then(
        (r) => {
          if (live) setInForce(r);
        },
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [api, reload]);
  return (
    <section className="panel" aria-label="Checklist templates">
      <h3>Checklist templates</h3>
      {inForce && (
        <>
          <p data-testid="checklists-in-force">
            <strong>{inForce.name}</strong>, revision {inForce.revision} ·{' '}
            {inForce.adoptedBy
              ? `adopted by ${inForce.adoptedBy}, ${formatPlant(inForce.adoptedAt!, zone)}`
              : 'the templates shipped with Baseline'}{' '}
            · <span className="muted mono">{inForce.sha256.slice(0, 16)}…</span>
          </p>
          <ul className="plain">
            {inForce.templates.templates.map((t) => (
              <li key={t.id}>
                {t.name}: {t.sections.reduce((n, s) => n + s.items.length, 0)} items before the {t.checkpoint} checkpoint
                {t.appliesTo === 'safety-critical' ? ', safety-critical changes only' : ''}
                {t.required ? ' (required for its GO or CLOSE)' : ''}
              </li>
            ))}
          </ul>
        </>
      )}
      <SignedFileForm
        label="Adopt checklist templates"
        fileLabel="Checklist templates YAML"
        accept=".yaml,.yml"
        signerLabel="Adopted by"
        rule={{ roles: 'plantEngineering', what: 'adopt checklist templates' }}
        button="Sign and adopt"
        doneVerb="Adopted"
        submit={async (file, signer) => {
          if (!api) return null;
          try {
            await api.invoke('checklists.adopt', { yaml: file.text, source: file.name, ...signer });
            setReload((n) => n + 1);
            return null;
          } catch (x) {
            return errorOf(x);
          }
        }}
      />
      <p className="muted">
        A new revision (<code>baseline.checklists/1</code>, its <code>revision</code> raised) is checked line by line first; nothing changes
        if a line is wrong. Ticks already recorded keep the revision they were made under.
      </p>
    </section>
  );
}
