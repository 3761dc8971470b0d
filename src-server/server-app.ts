/**
 * The central server's HTTP API (fastify, HTTPS with a certificate from the plant CA): health, the CA
 * certificate, enrolment, and the sync protocol of src-shared/common/sync/sync-protocol.ts. What each request does
 * for the device is in sync-operations.ts (bundle import does the same); this module is the HTTP side.
 *
 * Every refusal is `{ error: { code, message, hint } }` with a 4xx status, logged on the server with the
 * same words the laptop shows. Logs are fastify's structured JSON (pino), with access tokens redacted.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { randomBytes } from 'node:crypto';
import type * as z from 'zod';
import { BaselineError, type ErrorData } from '../src-shared/common/errors.ts';
import {
  EnrolRequestSchema,
  MAX_BATCH_EVENTS,
  MAX_BLOB_BYTES,
  MAX_JSON_BODY,
  MissingBlobsRequestSchema,
  PushRequestSchema,
  SYNC_PROTOCOL,
  type EnrolResponse,
  type PullResponse,
  type PushResponse,
  type SyncState,
} from '../src-shared/common/sync/sync-protocol.ts';
import { registerBlobUploadRoutes } from './blob-upload-routes.ts';
import type { ServerPki } from './server-home.ts';
import { deviceRevocation } from './central-revocations.ts';
import type { ServerDatabase } from './store/server-database.ts';
import { ServerBlobStore } from './store/server-blob-store.ts';
import { SyncStore, type DeviceRow } from './store/sync-store.ts';
import { enrolDevice, ingestPush, pullPage, refusal, secretHash, serverConflicts } from './sync-operations.ts';

/** How to build the server. */
export interface ServerAppOptions {
  home: string;
  database: ServerDatabase;
  pki: ServerPki;
  /** fastify logger options; false for none. */
  logger?: boolean | Record<string, unknown>;
  clock?: () => Date;
  /** Enrolment attempts allowed per client address per minute. */
  enrolPerMinute?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    device: DeviceRow | null;
  }
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw refusal(
      400,
      'request-malformed',
      `The ${what} request is malformed: ${issues}.`,
      'This laptop and the server speak different versions of the sync protocol, or the request was damaged; update Baseline on the laptop.',
      { issues: r.error.issues.slice(0, 20) },
    );
  }
  return r.data;
}

const STATUS_BY_FASTIFY_CODE: Record<string, { code: string; message: string; hint: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'request-too-large',
    message: 'The request is larger than the server accepts.',
    hint: 'Sync sends events in batches and content one blob at a time; a blob larger than the limit cannot be stored centrally.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'request-malformed',
    message: 'The request has a content type the server does not read.',
    hint: 'Send JSON (application/json) or blob bytes (application/octet-stream).',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'request-malformed',
    message: 'The request body is empty.',
    hint: 'Send the JSON body the sync protocol describes.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'request-malformed',
    message: "The request's length does not match its content.",
    hint: 'The request was cut or damaged on the way; send it again.',
  },
};

/** Builds the server (not yet listening). */
export async function buildServerApp(options: ServerAppOptions): Promise<{ app: FastifyInstance; store: SyncStore }> {
  const { pki } = options;
  const clock = options.clock ?? (() => new Date());
  const store = new SyncStore(options.database);
  const blobs = new ServerBlobStore(options.home);
  const serverId = await store.infoOnce('server-id', randomBytes(8).toString('hex'));
  await store.infoOnce('ca-fingerprint', pki.caFingerprint);

  const app = Fastify({
    https: { key: pki.serverKeyPem, cert: pki.serverCertPem },
    logger:
      options.logger === undefined
        ? false
        : options.logger === true
          ? { redact: ['req.headers.authorization'] }
          : options.logger === false
            ? false
            : { ...options.logger, redact: ['req.headers.authorization'] },
    bodyLimit: MAX_JSON_BODY,
    forceCloseConnections: 'idle',
  });
  app.decorateRequest('device', null);

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: MAX_BLOB_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  // JSON that does not parse is the laptop's mistake, not the server's.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    let status: number;
    let data: ErrorData;
    if (err instanceof BaselineError) {
      status = (err as { statusCode?: number }).statusCode ?? 400;
      data = err.toData();
    } else if (err.code && STATUS_BY_FASTIFY_CODE[err.code]) {
      status = err.statusCode ?? 400;
      data = STATUS_BY_FASTIFY_CODE[err.code]!;
    } else if (
      err instanceof SyntaxError ||
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
      (err.statusCode === 400 && /JSON/i.test(err.message))
    ) {
      status = 400;
      data = {
        code: 'request-malformed',
        message: `The request body is not valid JSON (${err.message}).`,
        hint: 'The request was damaged on the way or sent by something other than Baseline; send it again.',
      };
    } else if (err.statusCode === 429) {
      status = 429;
      data = {
        code: 'rate-limited',
        message: 'Too many enrolment attempts from this address.',
        hint: 'Wait a minute and type the code again; ask for a new code if it keeps failing.',
      };
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      data = { code: 'request-refused', message: err.message, hint: 'Check the request against the sync protocol.' };
    } else {
      status = 500;
      request.log.error({ err }, 'unexpected server error');
      data = {
        code: 'server-internal',
        message: `The server failed unexpectedly: ${err.message}.`,
        hint: 'Nothing from this request was stored. Sync again later; the server log has the details.',
      };
    }
    if (status < 500)
      request.log.warn({ refusal: data.code, device: request.device?.device_id ?? null, reason: data.message }, 'request refused');
    void reply.status(status).send({ error: data });
  });

  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => Object.assign(new Error('rate limited'), { statusCode: 429 }),
  });

  const authenticate = async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const device = token === '' ? null : await store.deviceByToken(secretHash(token));
    const revoked = device ? deviceRevocation(await store.revocations(), device.device_id, device.name) : null;
    if (revoked) {
      await store.recordRefusal(device!.device_id, clock(), revoked.toData());
      throw revoked;
    }
    if (!device) {
      throw refusal(
        401,
        'device-not-enrolled',
        'This laptop is not enrolled with this server (no valid access token).',
        'Enrol the laptop with a one-time code from the server administrator (`baseline server enrol-code`).',
      );
    }
    request.device = device;
  };
  const deviceOf = (request: FastifyRequest): DeviceRow => {
    if (!request.device) throw refusal(401, 'device-not-enrolled', 'This laptop is not enrolled with this server.', 'Enrol it first.');
    return request.device;
  };

  app.get('/health', async () => {
    await store.info('server-id');
    return { status: 'ok', protocol: SYNC_PROTOCOL, serverId, serverTime: clock().toISOString(), database: options.database.dialect };
  });

  app.get('/ca', async () => ({ caCertificatePem: pki.caCertPem, caFingerprint: pki.caFingerprint }));

  app.post(
    '/enrol',
    { config: { rateLimit: { max: options.enrolPerMinute ?? 10, timeWindow: 60_000 } } },
    async (request): Promise<EnrolResponse> => {
      const body = parseBody(EnrolRequestSchema, request.body, 'enrolment');
      const r = await enrolDevice(store, pki, serverId, body, clock());
      request.log.info({ device: body.deviceId, name: body.deviceName }, 'device enrolled');
      return r;
    },
  );

  app.get('/sync/state', { preHandler: authenticate }, async (request): Promise<SyncState> => {
    const d = deviceOf(request);
    return {
      deviceId: d.device_id,
      acknowledgedSeq: Number(d.acked_seq),
      acknowledgedHash: d.acked_hash,
      serverTime: clock().toISOString(),
      flagged: d.flagged,
    };
  });

  app.post('/blobs/missing', { preHandler: authenticate }, async (request) => {
    const body = parseBody(MissingBlobsRequestSchema, request.body, 'blob check');
    return { missing: await store.missingBlobs(body.hashes) };
  });

  app.put<{ Params: { sha256: string } }>('/blobs/:sha256', { preHandler: authenticate }, async (request) => {
    const d = deviceOf(request);
    const hash = request.params.sha256;
    if (!/^[0-9a-f]{64}$/.test(hash))
      throw refusal(
        400,
        'blob-bad-hash',
        `"${hash.slice(0, 80)}" is not a SHA-256 hash.`,
        'Name blobs by their SHA-256 (64 lowercase hex digits).',
      );
    if (!Buffer.isBuffer(request.body))
      throw refusal(415, 'request-malformed', 'Blob bytes must be sent as application/octet-stream.', 'Send the raw bytes.');
    const now = clock();
    try {
      const { stored } = blobs.put(hash, request.body);
      await store.addBlob(hash, request.body.length, now);
      return { sha256: hash, size: request.body.length, stored };
    } catch (err) {
      if (err instanceof BaselineError) {
        await store.recordRefusal(d.device_id, now, err.toData());
        throw Object.assign(err, { statusCode: 422 });
      }
      throw err;
    }
  });

  await registerBlobUploadRoutes(app, { home: options.home, store, blobs, authenticate, clock });

  app.get<{ Params: { sha256: string } }>('/blobs/:sha256', { preHandler: authenticate }, async (request, reply: FastifyReply) => {
    const hash = request.params.sha256;
    if (!/^[0-9a-f]{64}$/.test(hash))
      throw refusal(400, 'blob-bad-hash', `"${hash.slice(0, 80)}" is not a SHA-256 hash.`, 'Name blobs by their SHA-256.');
    const bytes = (await store.hasBlob(hash)) ? blobs.get(hash) : null;
    if (!bytes)
      throw refusal(
        404,
        'blob-not-held',
        `The server does not hold content ${hash.slice(0, 12)}….`,
        'The laptop that recorded it has not synced it yet.',
      );
    return reply.type('application/octet-stream').send(bytes);
  });

  app.post('/sync/push', { preHandler: authenticate }, async (request, reply): Promise<PushResponse> => {
    const d = deviceOf(request);
    const body = parseBody(PushRequestSchema, request.body, 'push');
    const now = clock();
    const outcome = await ingestPush(store, d, body, now, pki);
    const clockOffsetMs = Date.parse(body.deviceTime) - now.getTime();
    if (outcome.refusal) {
      request.log.warn(
        { device: d.device_id, refusal: outcome.refusal.code, reason: outcome.refusal.message, acknowledgedSeq: outcome.acknowledgedSeq },
        'push refused',
      );
      const status =
        outcome.refusal.code === 'journal-went-back' ||
        outcome.refusal.code === 'journal-forked' ||
        outcome.refusal.code === 'device-flagged'
          ? 409
          : 422;
      return reply.status(status).send({ error: outcome.refusal, acknowledgedSeq: outcome.acknowledgedSeq, serverTime: now.toISOString() });
    }
    request.log.info(
      { device: d.device_id, accepted: outcome.accepted, duplicates: outcome.duplicates, acknowledgedSeq: outcome.acknowledgedSeq },
      'push stored',
    );
    return {
      acknowledgedSeq: outcome.acknowledgedSeq,
      accepted: outcome.accepted,
      duplicates: outcome.duplicates,
      clockOffsetMs: Number.isFinite(clockOffsetMs) ? clockOffsetMs : 0,
      serverTime: now.toISOString(),
    };
  });

  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/sync/pull',
    { preHandler: authenticate },
    async (request): Promise<PullResponse> => {
      const d = deviceOf(request);
      const after = Number(request.query.after ?? '0');
      const limit = Number(request.query.limit ?? String(MAX_BATCH_EVENTS));
      if (!Number.isSafeInteger(after) || after < 0 || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_BATCH_EVENTS) {
        throw refusal(
          400,
          'request-malformed',
          `Pull needs after >= 0 and 1 <= limit <= ${MAX_BATCH_EVENTS}.`,
          'Ask with the cursor the last pull returned.',
        );
      }
      return pullPage(store, d.device_id, after, limit);
    },
  );

  app.get('/sync/conflicts', { preHandler: authenticate }, async () => ({ conflicts: await serverConflicts(store) }));

  // Events whose device time is implausible, with each device's recorded clock offsets.
  app.get<{ Querystring: { device?: string } }>('/sync/clock-flags', { preHandler: authenticate }, async (request) => {
    const device = typeof request.query.device === 'string' && request.query.device !== '' ? request.query.device : undefined;
    return { flags: await store.clockFlags(device), offsets: device ? await store.clockOffsets(device) : [] };
  });

  return { app, store };
}
