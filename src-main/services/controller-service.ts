/** Registered controllers: how to reach each one, which profile captures it, and its latest capture. */
import { v7 as uuidv7 } from 'uuid';
import { BaselineError } from '../../src-shared/common/errors.ts';
import type { CaptureSummary, ControllerView } from '../../src-shared/common/api/contract.ts';
import { describeTarget, profileProtocolOf, type ControllerTarget } from '../../src-shared/common/capture/controller-target.ts';
import type { Actor } from '../../src-shared/common/journal-event.ts';
import type { JournalRepository } from '../store/journal-repository.ts';
import type { ControllerRepository, ControllerRow } from '../store/controller-repository.ts';
import type { CaptureService } from './capture-service.ts';
import type { EventHub } from './event-hub.ts';
import type { ProfileService } from './profile-service.ts';

/** Registers and lists controllers. */
export class ControllerService {
  private readonly journal: JournalRepository;
  private readonly records: ControllerRepository;

  /** What starting a capture of a registered controller needs (the app gives it; tools that only register do not). */
  private readonly capturing: { profiles: ProfileService; captures: CaptureService; hub: EventHub } | null;

  constructor(journal: JournalRepository, records: ControllerRepository, capturing: ControllerService['capturing'] = null) {
    this.journal = journal;
    this.records = records;
    this.capturing = capturing;
  }

  /** A controller's recorded captures, newest first. */
  captures(controllerId: string): CaptureSummary[] {
    this.get(controllerId);
    return this.records
      .captures(controllerId)
      .map(({ captureSha256, at, complete, tags, good, bad, requests, minimumRequests, actor }) => ({
        captureSha256,
        at,
        complete,
        tags,
        good,
        bad,
        requests,
        minimumRequests,
        actor,
      }));
  }

  /**
   * Starts capturing a registered controller with its profile (progress and the result are pushed as events); a
   * controller without a profile is refused, since nothing says what to read.
   */
  startCapture(controllerId: string, actor: Actor): string {
    const controller = this.get(controllerId);
    if (controller.retiredAt !== null)
      throw new BaselineError(
        'controller-retired',
        `${controller.name} is retired, so it is not captured any more.`,
        'Its history stays readable; register a new controller if it is back in service.',
      );
    if (!controller.profile) {
      throw new BaselineError(
        'controller-no-profile',
        `${controller.name} has no capture profile, so Baseline does not know what to read.`,
        'Import a profile (CSV) and register the controller with it.',
      );
    }
    if (!this.capturing)
      throw new BaselineError(
        'capture-unavailable',
        'This program cannot run captures.',
        'Capture from the app or with `baseline capture`.',
      );
    const profile = this.capturing.profiles.load(controller.profile.sha256);
    return this.capturing.captures.start(
      {
        controllerId: controller.id,
        target: controller.target,
        profile,
        profileName: controller.profile.name,
        options: { timeoutMs: 2000, retries: 2 },
      },
      actor,
      this.capturing.hub,
    );
  }

  private view(c: ControllerRow, last = this.records.lastCaptures().get(c.id) ?? null): ControllerView {
    const profile = c.profileSha256 ? this.records.profile(c.profileSha256) : null;
    return {
      id: c.id,
      name: c.name,
      description: describeTarget(c.target),
      target: c.target,
      profile,
      retiredAt: c.retiredAt,
      lastCapture: last && {
        captureSha256: last.captureSha256,
        at: last.at,
        complete: last.complete,
        tags: last.tags,
        good: last.good,
        bad: last.bad,
        requests: last.requests,
        minimumRequests: last.minimumRequests,
        actor: last.actor,
      },
    };
  }

  /** Every registered controller with its profile and latest capture. */
  list(): ControllerView[] {
    const last = this.records.lastCaptures();
    return this.records.controllers().map((c) => this.view(c, last.get(c.id) ?? null));
  }

  /** One controller, or a clear refusal. */
  get(id: string): ControllerView {
    const c = this.records.controller(id);
    if (!c)
      throw new BaselineError(
        'controller-unknown',
        `No controller ${id} is registered on this laptop.`,
        'Pick a controller from the list, or register it first.',
      );
    return this.view(c);
  }

  /** Gives a registered controller another capture profile (a new version of its registration, as an event). */
  setProfile(id: string, profileSha256: string, actor: Actor): ControllerView {
    const c = this.records.controller(id);
    if (!c)
      throw new BaselineError(
        'controller-unknown',
        `No controller ${id} is registered on this laptop.`,
        'Pick a controller from the list.',
      );
    const profile = this.records.profile(profileSha256);
    if (!profile)
      throw new BaselineError(
        'profile-unknown',
        `No capture profile ${profileSha256.slice(0, 12)}… is stored on this laptop.`,
        'Import the profile first.',
      );
    if (profile.protocol !== profileProtocolOf(c.target)) {
      throw new BaselineError(
        'profile-protocol-mismatch',
        `Profile "${profile.name}" is for ${profile.protocol}, but ${c.name} speaks ${c.target.protocol}.`,
        "Choose a profile made for this controller's protocol.",
      );
    }
    this.journal.append('controller.registered', { id, name: c.name, target: c.target, profileSha256 }, actor);
    return this.get(id);
  }

  /** Points a registered controller at another address (a new version of its registration, as an event). */
  setTarget(id: string, target: ControllerTarget, actor: Actor): ControllerView {
    const c = this.records.controller(id);
    if (!c)
      throw new BaselineError(
        'controller-unknown',
        `No controller ${id} is registered on this laptop.`,
        'Pick a controller from the list.',
      );
    if (target.protocol !== c.target.protocol) {
      throw new BaselineError(
        'controller-protocol-change',
        `${c.name} speaks ${c.target.protocol}, not ${target.protocol}.`,
        'Register a new controller for another protocol.',
      );
    }
    this.journal.append('controller.registered', { id, name: c.name, target, profileSha256: c.profileSha256 }, actor);
    return this.get(id);
  }

  /** Registers a controller (a new id every time). The profile must exist and speak the controller's protocol. */
  register(name: string, target: ControllerTarget, profileSha256: string | null, actor: Actor): ControllerView {
    if (profileSha256) {
      const profile = this.records.profile(profileSha256);
      if (!profile)
        throw new BaselineError(
          'profile-unknown',
          `No capture profile ${profileSha256.slice(0, 12)}… is stored on this laptop.`,
          'Import the profile first.',
        );
      if (profile.protocol !== profileProtocolOf(target)) {
        throw new BaselineError(
          'profile-protocol-mismatch',
          `Profile "${profile.name}" is for ${profile.protocol}, but ${name} speaks ${target.protocol}.`,
          "Choose a profile made for this controller's protocol.",
        );
      }
    }
    if (this.records.controllers().some((c) => c.name.toLowerCase() === name.toLowerCase())) {
      throw new BaselineError(
        'controller-name-taken',
        `A controller named "${name}" is already registered.`,
        "Give each controller its own name (e.g. the PLC's name in the plant drawings).",
      );
    }
    const id = uuidv7();
    this.journal.append('controller.registered', { id, name, target, profileSha256 }, actor);
    return this.get(id);
  }
}
