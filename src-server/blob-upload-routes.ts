/**
 * Resumable blob upload (ARCHITECTURE §8, "large blobs resumable"): the laptop asks how many bytes of a blob
 * the server holds, then sends the rest from that offset. The server streams the bytes it receives into a
 * partial file keyed by the blob's hash (`blob-uploads/<sha256>` in its data directory), so a connection cut or
 * a server killed mid-body keeps every byte that arrived; only when the partial file reaches the declared size
 * is it hashed, checked against its name and moved into the blob store.
 *
 * Partial files live on one server instance's disk: behind a load balancer, a resumed upload that lands on
 * another instance starts again from zero there (docs/scaling.md).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BaselineError } from '../src-shared/common/errors.ts';
import { MAX_BLOB_BYTES, type BlobUploadState } from '../src-shared/common/sync/sync-protocol.ts';
import type { ServerBlobStore } from './store/server-blob-store.ts';
import type { DeviceRow, SyncStore } from './store/sync-store.ts';

/** How long the offset question waits for a running upload of the same blob to end before answering. */
const BUSY_ANSWER_WAIT_MS = 5_000;

/** Resolves when `p` does or after `ms`, whichever comes first (the timer does not outlive it). */
async function endOrTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** What the upload routes need from the server. */
export interface BlobUploadDeps {
  home: string;
  store: SyncStore;
  blobs: ServerBlobStore;
  authenticate: (request: FastifyRequest) => Promise<void>;
  clock: () => Date;
}

function refusal(
  status: number,
  code: string,
  message: string,
  hint: string,
  details?: Record<string, unknown>,
): BaselineError & { statusCode: number } {
  return Object.assign(new BaselineError(code, message, hint, details), { statusCode: status });
}

function checkHash(hash: string): void {
  if (!/^[0-9a-f]{64}$/.test(hash))
    throw refusal(
      400,
      'blob-bad-hash',
      `"${hash.slice(0, 80)}" is not a SHA-256 hash.`,
      'Name blobs by their SHA-256 (64 lowercase hex digits).',
    );
}

/** Passes at most `limit` bytes and swallows the rest (reading it, so the refusal reaches the sender); `over` tells. */
function atMost(limit: number): Transform & { over: boolean } {
  let seen = 0;
  const t = Object.assign(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        const room = Math.max(0, limit - seen);
        seen += chunk.length;
        if (chunk.length > room) t.over = true;
        done(null, room === 0 ? undefined : chunk.subarray(0, room));
      },
    }),
    { over: false },
  );
  return t;
}

/** Registers GET and PUT /blobs/:sha256/upload in their own context (their body is a stream, not a buffer). */
export async function registerBlobUploadRoutes(app: FastifyInstance, deps: BlobUploadDeps): Promise<void> {
  const dir = join(deps.home, 'blob-uploads');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const partialOf = (hash: string) => join(dir, hash);
  const heldBytes = (hash: string) => (existsSync(partialOf(hash)) ? statSync(partialOf(hash)).size : 0);
  // One upload per blob at a time on this instance: two appends to one partial file would interleave. Each running
  // upload's end, so the offset question waits for a cut attempt to finish writing (see GET below).
  const busy = new Map<string, Promise<void>>();

  await app.register(async (child) => {
    child.removeContentTypeParser('application/octet-stream');
    child.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

    child.get<{ Params: { sha256: string } }>(
      '/blobs/:sha256/upload',
      { preHandler: deps.authenticate },
      async (request): Promise<BlobUploadState> => {
        const hash = request.params.sha256;
        checkHash(hash);
        // A laptop resuming right after a cut may ask while this server still writes the cut attempt's last bytes:
        // it waits for that attempt to end (a few seconds at most), so the answer is the whole partial copy and the
        // laptop does not send a body only to be told the blob is busy.
        const running = busy.get(hash);
        if (running) await endOrTimeout(running, BUSY_ANSWER_WAIT_MS);
        if (await deps.store.hasBlob(hash)) return { sha256: hash, received: 0, complete: true };
        return { sha256: hash, received: heldBytes(hash), complete: false };
      },
    );

    child.put<{ Params: { sha256: string }; Querystring: { offset?: string; size?: string } }>(
      '/blobs/:sha256/upload',
      { preHandler: deps.authenticate },
      async (request, reply): Promise<BlobUploadState> => {
        const device = request.device as DeviceRow;
        const body = request.body as Readable;
        // A refused upload still reads (and drops) what the laptop sends, so its answer is not stuck behind the body.
        body.on('error', () => undefined);
        const drained = <T>(err: T): T => {
          body.resume();
          return err;
        };
        const hash = request.params.sha256;
        try {
          checkHash(hash);
        } catch (err) {
          throw drained(err);
        }
        const offset = Number(request.query.offset);
        const size = Number(request.query.size);
        if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(size) || size < 1 || offset > size) {
          throw drained(
            refusal(
              400,
              'request-malformed',
              `A resumable upload needs 0 <= offset <= size and size >= 1 (got offset=${request.query.offset ?? '(none)'}, size=${request.query.size ?? '(none)'}).`,
              "Ask GET /blobs/<sha256>/upload for the offset, and give the blob's whole size.",
            ),
          );
        }
        if (size > MAX_BLOB_BYTES) {
          throw drained(
            refusal(
              413,
              'blob-too-large',
              `The blob is ${size} bytes; the server stores blobs up to ${MAX_BLOB_BYTES} bytes.`,
              'Content this large cannot be synced; keep it on the laptop and attach a smaller export.',
            ),
          );
        }
        if (busy.has(hash)) {
          throw drained(
            refusal(
              409,
              'blob-upload-busy',
              `Another upload of content ${hash.slice(0, 12)}… is in progress on this server.`,
              'Sync again in a moment; the upload resumes where it stopped.',
            ),
          );
        }
        let ended = (): void => undefined;
        busy.set(
          hash,
          new Promise<void>((r) => {
            ended = r;
          }),
        );
        try {
          if (await deps.store.hasBlob(hash)) {
            body.resume();
            return { sha256: hash, received: 0, complete: true };
          }
          const held = heldBytes(hash);
          if (offset !== held) {
            body.resume();
            return reply.status(409).send({
              error: new BaselineError(
                'blob-offset-mismatch',
                `The upload starts at byte ${offset}, but the server holds ${held} bytes of it.`,
                'Send from the offset the server holds.',
                { received: held },
              ).toData(),
              received: held,
            });
          }
          const limit = atMost(size - offset);
          try {
            await pipeline(body, limit, createWriteStream(partialOf(hash), { flags: 'a', mode: 0o600 }));
          } catch (err) {
            // The connection was cut mid-body: every byte written stays for the resumed upload.
            request.log.info(
              {
                device: device.device_id,
                blob: hash,
                kept: heldBytes(hash),
                size,
                reason: err instanceof Error ? err.message : String(err),
              },
              'upload cut; partial kept',
            );
            throw refusal(
              400,
              'blob-upload-cut',
              `The upload of ${hash.slice(0, 12)}… stopped after ${heldBytes(hash)} of ${size} bytes.`,
              'Sync again: the upload resumes from there.',
            );
          }
          if (limit.over) {
            unlinkSync(partialOf(hash));
            throw refusal(
              413,
              'blob-larger-than-declared',
              `More bytes arrived than the declared size of ${size} bytes; the partial copy was dropped.`,
              "Send exactly the blob's bytes from the offset the server holds.",
            );
          }
          const received = heldBytes(hash);
          if (received < size) return { sha256: hash, received, complete: false };
          const bytes = readFileSync(partialOf(hash));
          unlinkSync(partialOf(hash));
          const now = deps.clock();
          try {
            deps.blobs.put(hash, bytes);
          } catch (err) {
            if (err instanceof BaselineError) {
              await deps.store.recordRefusal(device.device_id, now, err.toData());
              throw Object.assign(err, { statusCode: 422 });
            }
            throw err;
          }
          await deps.store.addBlob(hash, size, now);
          request.log.info({ device: device.device_id, blob: hash, size }, 'resumable upload complete');
          return { sha256: hash, received: size, complete: true };
        } finally {
          busy.delete(hash);
          ended();
        }
      },
    );
  });
}
