/**
 * The small schemas every part of the API contract shares: no fields, any JSON, a password, a SHA-256 hash, and the
 * largest files the API accepts.
 */
import * as z from 'zod';

/** A request with no fields. */
export const Empty = z.object({}).strict();
/** Any JSON value (a journal event's payload). */
export const JsonSchema: z.ZodType<unknown> = z.unknown();
/** A password typed for one signature. */
export const Password = z.string().min(1).max(1024);
/** A SHA-256 hash as 64 lowercase hex digits. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash (64 lowercase hex digits)');

/** The longest profile CSV `profiles.import` accepts, in characters (10 MB); the CLI holds files to the same size. */
export const PROFILE_CSV_MAX_CHARS = 10_000_000;
/** The longest policy, plant or roster file the API accepts, in characters (2 MB). */
export const TEXT_FILE_MAX_CHARS = 2_000_000;
