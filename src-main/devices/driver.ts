/**
 * The seam between the device jobs (capture, browse, restore: what to do) and each controller protocol (how to
 * talk to it). A `Driver` per protocol opens a `DriverSession` on one controller; the session reads the
 * controller's identity, reads a profile by the protocol's plan, writes and reads back one value, and closes.
 * The jobs (capture-job.ts, browse-job.ts, restore-job.ts) hold everything protocol-neutral and never import a
 * protocol library; process/job-handlers.ts picks the driver by the target's protocol (drivers.ts).
 */
import type { CaptureOptions, ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';
import type { CapturedValue } from '../../src-shared/common/capture/capture-result.ts';
import type { CaptureProfile, ProfileTag } from '../../src-shared/common/profile/capture-profile.ts';
import type { BaselineError } from '../../src-shared/common/errors.ts';
import type { JobContext } from './process/device-messages.ts';

/** What a job asks of a new session. */
export interface ConnectRequest<T extends ControllerTarget> {
  target: T;
  options: CaptureOptions;
  /** The job's cancel signal (a connect in progress stops on it where the library allows). */
  signal: AbortSignal;
  /** The tags the session will read or write (Logix fetches the tag list when one is a STRING). */
  tags: readonly ProfileTag[];
  /** The job reads the controller's identity (S7 reads it on a short connection of its own before the session's). */
  identity: boolean;
  /** The job browses the controller's tag list. */
  tagList: boolean;
}

/** The controller's identity, and the requests spent reading it (not part of the plan). */
export interface DriverIdentity {
  identity: Record<string, string> | null;
  requests: number;
}

/** What reading a profile by the protocol's plan gave. */
export interface PlanReadResult {
  /** One per profile tag, in profile order; a tag not read is bad with the reason. */
  values: CapturedValue[];
  /** Value-read requests actually sent (retries and reconnects included). */
  requests: number;
  plannedRequests: number;
  minimumRequests: number;
  /** The sizes the plan used (S7 PDU, Modbus limits, CIP packet size). */
  negotiated: Record<string, number>;
  /** What stopped the read part-way (the remaining tags are bad), or null. */
  failure: BaselineError | null;
}

/** One checked and encoded write of a restore. */
export interface PreparedWrite {
  tag: ProfileTag;
  /** The value as the restore gave it. */
  value: number | boolean | string;
  /** The bytes the controller should hold afterwards, as a capture's `raw` shows them. */
  bytes: Uint8Array;
}

/** A proposed profile row found by browsing. */
export interface BrowsedTag {
  address: string;
  type: string;
}

/** What browsing found. */
export interface BrowseResult {
  tags: BrowsedTag[];
  skipped: { address: string; reason: string }[];
}

/** An open connection to one controller. Every method but `close` may throw a device error (device-error.ts). */
export interface DriverSession<P extends CaptureProfile = CaptureProfile> {
  /** "S7 host:port rack r slot s", as device errors name the controller. */
  readonly controller: string;
  /** The controller's identity (null when it has none to give). */
  identity(): Promise<DriverIdentity>;
  /** Reads every tag of the profile by the protocol's plan; device faults become bad tags and `failure`. */
  readPlan(profile: P, ctx: JobContext): Promise<PlanReadResult>;
  /** Writes one prepared value (never retried). */
  write(w: PreparedWrite): Promise<void>;
  /** Reads back what the controller holds where `w` was written, as the same bytes `w.bytes` encodes. */
  readBack(w: PreparedWrite): Promise<Uint8Array>;
  /** Lists the controller's tags as proposed profile rows (drivers whose `browses` is true). */
  browse?(ctx: JobContext): Promise<BrowseResult>;
  /** Closes the connection; never throws and never waits long. */
  close(): Promise<void>;
}

/** One protocol's way to a controller. */
export interface Driver<T extends ControllerTarget = ControllerTarget, P extends CaptureProfile = CaptureProfile> {
  readonly protocol: P['protocol'];
  /** The controller has tag names to browse (Logix). */
  readonly browses: boolean;
  /**
   * Checks and encodes one restore value for a writable tag, before anything is written: the bytes a capture
   * would read afterwards. Throws a BaselineError naming the problem.
   */
  encodeWrite(tag: P['tags'][number], value: number | boolean | string): Uint8Array;
  /** Opens a session; throws a device error when the controller cannot be reached. */
  connect(req: ConnectRequest<T>): Promise<DriverSession<P>>;
}
