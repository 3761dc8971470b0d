/**
 * "Capture all controllers of this line" (one file per domain; spread into OPERATIONS by contract.ts).
 */
import * as z from 'zod';

/** One controller's outcome in a line capture. */
export interface LineCaptureOutcome {
  controllerId: string;
  name: string;
  /**
   * captured: complete; incomplete: some tags unread (kept, never evidence); failed: not reached; no-profile: nothing
   * to read; cancelled: the line capture was cancelled while or before this controller was read (never evidence).
   */
  status: 'captured' | 'incomplete' | 'failed' | 'no-profile' | 'cancelled';
  captureSha256: string | null;
  tags: number;
  good: number;
  message: string;
}

/** Every controller's outcome, in name order. */
export interface LineCaptureResult {
  lineId: string;
  line: string;
  results: LineCaptureOutcome[];
}

/** Line capture operations. */
export const LINE_CAPTURE_OPERATIONS = {
  'capture.line': {
    request: z.object({ lineId: z.string().min(1).max(100) }).strict(),
    response: z.custom<LineCaptureResult>(),
  },
  'capture.lineCancel': {
    request: z.object({ lineId: z.string().min(1).max(100) }).strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
} as const;
