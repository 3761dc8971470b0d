/**
 * Sends one blob to the central server: small blobs in one PUT; large ones by resumable upload, asking the
 * server how many bytes it already holds and sending only the rest (a cut at 50 % costs the other 50 % plus
 * one request, not the whole blob again).
 */
import { BaselineError } from '../../src-shared/common/errors.ts';
import { BlobUploadStateSchema, RESUMABLE_BLOB_BYTES } from '../../src-shared/common/sync/sync-protocol.ts';
import type { SyncHttpClient } from './sync-http-client.ts';

/** Attempts at one upload before giving up (each offset correction takes one). */
const ATTEMPTS = 6;
/** How long to wait for the server to finish with an earlier, cut upload of the same blob. */
const BUSY_WAIT_MS = 30_000;

/** Uploads `bytes` stored under `hash`; resolves when the server holds the whole blob. */
export async function uploadBlob(http: SyncHttpClient, hash: string, bytes: Buffer): Promise<void> {
  if (bytes.length < RESUMABLE_BLOB_BYTES) {
    await http.call('PUT', `/blobs/${hash}`, bytes);
    return;
  }
  let state = BlobUploadStateSchema.parse(await http.call('GET', `/blobs/${hash}/upload`));
  const busyUntil = Date.now() + BUSY_WAIT_MS;
  for (let attempt = 0; attempt < ATTEMPTS && !state.complete; attempt++) {
    const offset = Math.min(state.received, bytes.length);
    const res = await http.send('PUT', `/blobs/${hash}/upload?offset=${offset}&size=${bytes.length}`, bytes.subarray(offset));
    if (res.status >= 200 && res.status < 300) {
      state = BlobUploadStateSchema.parse(res.json);
      continue;
    }
    const body = res.json as { error?: { code?: string }; received?: unknown } | null;
    if (res.status === 409 && body?.error?.code === 'blob-offset-mismatch' && typeof body.received === 'number') {
      state = { sha256: hash, received: body.received, complete: false };
      continue;
    }
    if (res.status === 409 && body?.error?.code === 'blob-upload-busy' && Date.now() < busyUntil) {
      // The server is still writing the bytes of the cut attempt: wait, ask again, and do not count this one.
      attempt--;
      await new Promise((r) => setTimeout(r, 250));
      state = BlobUploadStateSchema.parse(await http.call('GET', `/blobs/${hash}/upload`));
      continue;
    }
    throw http.refusal(res);
  }
  if (!state.complete) {
    throw new BaselineError(
      'blob-upload-stuck',
      `The server did not complete the upload of ${hash.slice(0, 12)}… after ${ATTEMPTS} attempts.`,
      "Sync again later; the upload resumes where the server's copy ends.",
    );
  }
}
