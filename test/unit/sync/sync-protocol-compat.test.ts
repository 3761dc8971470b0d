// Within baseline.sync/1 the server may add fields to its answers; a laptop ignores the ones it does not know, so a
// server updated before its laptops still syncs with them. The server stays strict about what laptops send, and the
// signed events a pull carries keep their exact shape.
import { describe, expect, it } from 'vitest';
import {
  EnrolResponseSchema,
  MissingBlobsRequestSchema,
  MissingBlobsResponseSchema,
  PullResponseSchema,
  PulledEventSchema,
  PushRequestSchema,
  PushResponseSchema,
  SyncStateSchema,
  BlobUploadStateSchema,
  SYNC_PROTOCOL,
} from '../../../src-shared/common/sync/sync-protocol.ts';

const HASH = 'a'.repeat(64);
const answers = {
  enrol: [
    EnrolResponseSchema,
    { deviceCertificatePem: 'c', caCertificatePem: 'ca', caFingerprint: HASH, token: 't'.repeat(32), serverId: 's' },
  ],
  state: [
    SyncStateSchema,
    { deviceId: 'd', acknowledgedSeq: 3, acknowledgedHash: null, serverTime: '2026-12-05T10:00:00.000Z', flagged: null },
  ],
  push: [PushResponseSchema, { acknowledgedSeq: 3, accepted: 1, duplicates: 0, clockOffsetMs: 12, serverTime: '2026-12-05T10:00:00.000Z' }],
  pull: [
    PullResponseSchema,
    { events: [], devices: [{ deviceId: 'd', name: 'n', publicKeyPem: 'p', certificatePem: 'c' }], cursor: 0, more: false },
  ],
  upload: [BlobUploadStateSchema, { sha256: HASH, received: 0, complete: false }],
  missing: [MissingBlobsResponseSchema, { missing: [HASH] }],
} as const;

describe("the server's answers", () => {
  it.each(Object.entries(answers))('%s: a field a newer server adds is ignored, the rest read as before', (_name, [schema, answer]) => {
    const plain = schema.parse(answer);
    expect(schema.parse({ ...answer, addedLater: { any: 'thing' } })).toEqual(plain);
    expect(plain).not.toHaveProperty('addedLater');
  });

  it('a pull page: a device entry with a field added later is read, its known fields kept', () => {
    const page = PullResponseSchema.parse({ ...answers.pull[1], devices: [{ ...answers.pull[1].devices[0], site: 'Plant 2' }] });
    expect(page.devices[0]).toEqual(answers.pull[1].devices[0]);
  });

  it('still refuses an answer that lacks a field or has one of the wrong type', () => {
    expect(SyncStateSchema.safeParse({ ...answers.state[1], acknowledgedSeq: 'three' }).success).toBe(false);
    const { token: _token, ...noToken } = answers.enrol[1];
    expect(EnrolResponseSchema.safeParse(noToken).success).toBe(false);
  });
});

describe('what stays strict', () => {
  it('a request with a field the server does not know is refused', () => {
    const push = { protocol: SYNC_PROTOCOL, deviceTime: '2026-12-05T10:00:00.000Z', head: { seq: 0, hash: null }, events: [] };
    expect(PushRequestSchema.safeParse(push).success).toBe(true);
    expect(PushRequestSchema.safeParse({ ...push, extra: 1 }).success).toBe(false);
    expect(MissingBlobsRequestSchema.safeParse({ hashes: [HASH], extra: 1 }).success).toBe(false);
  });

  it('a pulled event with a field it does not define is refused (events are signed as they are)', () => {
    const pulled = { globalSeq: 1, event: {}, blobs: [] };
    const parsed = PulledEventSchema.safeParse({ ...pulled, extra: 1 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });
});
