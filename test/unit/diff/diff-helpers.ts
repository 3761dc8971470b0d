// Builders for diff tests: small hand-made documents, and the checked-in fixture pair (test/fixtures/diff).
import { readFileSync } from 'node:fs';
import type { CaptureDocument } from '../../../src-shared/common/capture/capture-document.ts';
import type { DiffableDocument, DiffableValue } from '../../../src-shared/common/diff/diffable-document.ts';
import type { ProposedChange } from '../../../src-shared/common/diff/proposed-diff.ts';

const fixtures = new URL('../../fixtures/diff/', import.meta.url);

/** A capture document from test/fixtures/diff. */
export function loadCapture(name: 'before' | 'after'): CaptureDocument {
  return JSON.parse(readFileSync(new URL(`${name}.capture.json`, fixtures), 'utf8')) as CaptureDocument;
}

/** The fixture change's proposed diff. */
export function loadProposed(): ProposedChange[] {
  return JSON.parse(readFileSync(new URL('proposed.json', fixtures), 'utf8')) as ProposedChange[];
}

/** A good config value; override any field. */
export function val(tag: string, over: Partial<DiffableValue> = {}): DiffableValue {
  return {
    tag,
    address: `hr:${tag.length}`,
    type: 'INT16',
    value: 1,
    raw: '0001',
    quality: 'good',
    class: 'config',
    safety: false,
    writable: true,
    ...over,
  };
}

/** A document of the test controller holding these values. */
export function docOf(values: DiffableValue[], over: Partial<DiffableDocument> = {}): DiffableDocument {
  return {
    controller: { protocol: 'modbus-tcp', address: '127.0.0.5:502 unit 1', description: 'Modbus TCP 127.0.0.5:502 unit 1' },
    identity: { vendorName: 'Acme', productCode: 'PLC-9', revision: '1.2' },
    values,
    ...over,
  };
}
