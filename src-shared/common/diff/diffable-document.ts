/**
 * What the diff engine compares (ARCHITECTURE §4): the few parts of a capture or snapshot document a diff needs.
 *
 * Capture documents (`baseline.capture/1`) are turned into this shape by `diffableFromCapture`; the signed
 * snapshot (`baseline.snapshot/1`) carries the same parts plus a controller id. Keeping the engine on this small
 * interface lets it diff either, and saved files, without knowing how they were signed or stored.
 */
import type { JsonValue } from '../canonical-json.ts';
import type { CaptureDocument } from '../capture/capture-document.ts';
import type { ControllerTarget } from '../capture/controller-target.ts';
import type { LiveTolerance } from '../profile/capture-profile.ts';

/** Which controller a document was read from. */
export interface DiffableController {
  /** Baseline's controller id, when the document has one (snapshots do; capture files may not). */
  id?: string;
  /** Protocol as the target names it (`modbus-tcp`, `s7`, …). */
  protocol: string;
  /** Where the controller is reached, as a stable key (`10.1.2.3:502 unit 1`). */
  address: string;
  /** A human description for messages (`Modbus TCP 10.1.2.3:502 unit 1`). */
  description: string;
}

/** One tag's value and the profile's facts about it. */
export interface DiffableValue {
  tag: string;
  address: string;
  /** The value type, upper-case (`REAL`, `FLOAT32`, `LINT`, `BOOL`, …). */
  type: string;
  /** JSON form: numbers, booleans, strings; 64-bit integers as decimal strings; NaN/±Infinity as strings. */
  value: JsonValue;
  /** Hex of the bytes exactly as read, or null. */
  raw: string | null;
  quality: 'good' | 'bad';
  /** `live` values move on their own and are kept out of drift and of the proposed-diff check. */
  class: 'config' | 'live';
  safety: boolean;
  writable: boolean;
  /** Why a bad value has no good reading. */
  error?: string;
  /** A live tag's declared tolerance (diff/live-tolerance.ts); absent: none declared. */
  tolerance?: LiveTolerance;
}

/** A file attached to a snapshot (vendor project, export), compared by hash. */
export interface DiffableArtefact {
  name: string;
  sha256: string;
  size: number;
  mediaType: string;
}

/** The parts of a capture or snapshot document the diff engine reads. */
export interface DiffableDocument {
  controller: DiffableController;
  /** Identity read from the device (firmware, serial, module…), or null when the device gave none. */
  identity: Readonly<Record<string, string>> | null;
  values: readonly DiffableValue[];
  artefacts?: readonly DiffableArtefact[];
}

/** The stable "where" of a target, without settings that only affect decoding or pacing (word order, baud rate). */
export function targetAddress(t: ControllerTarget): string {
  switch (t.protocol) {
    case 'modbus-tcp':
      return `${t.host}:${t.port} unit ${t.unitId}`;
    case 'modbus-rtu':
      return `${t.serialPath} unit ${t.unitId}`;
    case 's7':
      return `${t.host}:${t.port} rack ${t.rack} slot ${t.slot}`;
    case 'logix':
      return `${t.host}:${t.port} slot ${t.slot}`;
  }
}

/** Views a capture document as a diffable document (no copying of values). */
export function diffableFromCapture(doc: CaptureDocument, controllerId?: string): DiffableDocument {
  const controller: DiffableController = {
    protocol: doc.controller.target.protocol,
    address: targetAddress(doc.controller.target),
    description: doc.controller.description,
  };
  if (controllerId !== undefined) controller.id = controllerId;
  return { controller, identity: doc.identity, values: doc.values };
}
