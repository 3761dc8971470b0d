/**
 * Bounds-checked big-endian byte reading and writing for the S7 frame codecs (iso-on-tcp.ts, s7-frames.ts,
 * szl-records.ts). Every read past the end of a frame becomes a BaselineError that names the layer and the field,
 * never a RangeError from a typed array or a silent `undefined`.
 */
import { BaselineError } from '../../../../src-shared/common/errors.ts';

/** The error code of every frame that does not parse. */
export const S7_MALFORMED = 's7-frame-malformed';

/** Builds the error for a frame that does not follow the layout of its layer. */
export function malformedFrame(layer: string, detail: string, details: Record<string, unknown> = {}): BaselineError {
  return new BaselineError(
    S7_MALFORMED,
    `Malformed ${layer}: ${detail}.`,
    'The peer does not speak S7 (ISO-on-TCP) as expected: check the port (102 on a real CPU), that the device is an S7 CPU, or look for a faulty gateway.',
    { layer, ...details },
  );
}

/** Reads big-endian fields from a frame, refusing to read past its end. */
export class ByteReader {
  private readonly bytes: Uint8Array;
  private readonly layer: string;
  private offset: number;

  constructor(bytes: Uint8Array, layer: string, offset = 0) {
    this.bytes = bytes;
    this.layer = layer;
    this.offset = offset;
  }

  /** Offset of the next byte to read. */
  get position(): number {
    return this.offset;
  }

  /** Bytes left after the current position. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, field: string): void {
    if (this.offset + n > this.bytes.length) {
      throw malformedFrame(
        this.layer,
        `the frame ends before ${field} (needs ${n} byte${n === 1 ? '' : 's'} at offset ${this.offset}, has ${Math.max(0, this.remaining)})`,
        { field, offset: this.offset, length: this.bytes.length },
      );
    }
  }

  /** One unsigned byte. */
  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++] as number;
  }

  /** An unsigned 16-bit big-endian word. */
  u16(field: string): number {
    this.need(2, field);
    const v = ((this.bytes[this.offset] as number) << 8) | (this.bytes[this.offset + 1] as number);
    this.offset += 2;
    return v;
  }

  /** An unsigned 24-bit big-endian value (the S7ANY bit address). */
  u24(field: string): number {
    this.need(3, field);
    const v =
      ((this.bytes[this.offset] as number) << 16) |
      ((this.bytes[this.offset + 1] as number) << 8) |
      (this.bytes[this.offset + 2] as number);
    this.offset += 3;
    return v;
  }

  /** `n` bytes (a view, not a copy). */
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Skips `n` bytes. */
  skip(n: number, field: string): void {
    this.need(n, field);
    this.offset += n;
  }

  /** Everything after the current position. */
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return out;
  }
}

/** Collects big-endian fields into one frame. */
export class ByteWriter {
  private readonly parts: number[] = [];

  /** Appends one byte (0..255). */
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }

  /** Appends a 16-bit big-endian word. */
  u16(v: number): this {
    this.parts.push((v >> 8) & 0xff, v & 0xff);
    return this;
  }

  /** Appends a 24-bit big-endian value. */
  u24(v: number): this {
    this.parts.push((v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    return this;
  }

  /** Appends bytes. */
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }

  /** Number of bytes so far. */
  get length(): number {
    return this.parts.length;
  }

  /** The frame. */
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Text of a fixed-width, NUL- or space-padded ISO 8859-1 field (SZL strings): up to the first NUL, trailing spaces trimmed. */
export function latin1Field(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0) break;
    out += String.fromCharCode(b);
  }
  return out.trimEnd();
}

/** A fixed-width field holding `text` (ISO 8859-1), padded with `pad`; refuses text that does not fit. */
export function latin1Bytes(text: string, width: number, pad = 0x00): Uint8Array {
  if (text.length > width) {
    throw new BaselineError(
      's7-text-too-long',
      `"${text}" has ${text.length} characters; this S7 field holds at most ${width}.`,
      'Shorten the text.',
      { text, width },
    );
  }
  const out = new Uint8Array(width).fill(pad);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff)
      throw new BaselineError(
        's7-text-not-latin1',
        `"${text}" has a character that S7 text fields cannot hold (ISO 8859-1 only).`,
        'Use plain Latin characters.',
        { text },
      );
    out[i] = c;
  }
  return out;
}
