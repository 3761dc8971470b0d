/**
 * The change screen's captures: the before- and after-captures taken from the change (what each is worth as
 * evidence), the ones running now with their progress per controller, and the actions that start, cancel and record
 * them. Progress arrives as the `capture.progress` / `capture.finished` events of those captures.
 */
import type { StateCreator } from 'zustand';
import type { CapturePhase, ChangeCaptureView } from '../../src-shared/common/workflow/change-capture.ts';
import type { ErrorData } from '../../src-shared/common/errors.ts';
import type { BaselineApi } from '../../src-shared/common/api/transport.ts';

/** A capture of the change running now. */
export interface RunningChangeCapture {
  captureId: string;
  phase: CapturePhase;
  done: number;
  total: number;
  detail: string;
  cancelling: boolean;
}

/** The captures of the change on screen. */
export interface ChangeCaptureSlice {
  /** The captures taken from the change's screen, for the change `changeId`. */
  changeCaptures: { changeId: string; list: ChangeCaptureView[] } | null;
  /** Running captures by controller id. */
  runningCaptures: Record<string, RunningChangeCapture>;
  changeCaptureError: ErrorData | null;
  loadChangeCaptures(changeId: string): Promise<void>;
  startChangeCapture(changeId: string, controllerId: string, phase: CapturePhase, total: number): Promise<void>;
  cancelChangeCapture(controllerId: string): Promise<void>;
  /** Signs a complete capture and records it on the change; resolves to null, or the refusal to show. */
  recordChangeCapture(changeId: string, captureSha256: string, employeeId: string, password: string): Promise<ErrorData | null>;
}

interface Needs {
  api: BaselineApi | null;
}

/** Builds the slice (`errorOf` turns a failure into what the screen shows). */
export function createChangeCaptureSlice<S extends ChangeCaptureSlice & Needs>(
  errorOf: (err: unknown) => ErrorData,
): StateCreator<S, [], [], ChangeCaptureSlice> {
  return (set, get) => {
    let watching: BaselineApi | null = null;
    /** Captures that ended before their start's reply arrived. */
    const ended = new Set<string>();
    const running = () => get().runningCaptures;
    const byCapture = (captureId: string) => Object.entries(running()).find(([, r]) => r.captureId === captureId);
    const watch = (api: BaselineApi) => {
      if (watching === api) return;
      watching = api;
      api.on('capture.progress', (p) => {
        const hit = byCapture(p.captureId);
        if (hit)
          set({ runningCaptures: { ...running(), [hit[0]]: { ...hit[1], done: p.done, total: p.total, detail: p.detail } } } as Partial<S>);
      });
      api.on('capture.finished', (f) => {
        const hit = byCapture(f.captureId);
        if (!hit) {
          if (f.change) ended.add(f.captureId);
          return;
        }
        const { [hit[0]]: _ended, ...rest } = running();
        set({ runningCaptures: rest } as Partial<S>);
        if (f.change) void get().loadChangeCaptures(f.change.changeId);
      });
    };
    return {
      changeCaptures: null,
      runningCaptures: {},
      changeCaptureError: null,
      async loadChangeCaptures(changeId) {
        const api = get().api;
        if (!api) return;
        watch(api);
        try {
          const { captures } = await api.invoke('changeCaptures.list', { changeId });
          set({ changeCaptures: { changeId, list: captures } } as Partial<S>);
        } catch (err) {
          set({ changeCaptureError: errorOf(err) } as Partial<S>);
        }
      },
      async startChangeCapture(changeId, controllerId, phase, total) {
        const api = get().api;
        if (!api) return;
        watch(api);
        try {
          const { captureId } = await api.invoke('changeCaptures.start', { changeId, controllerId, phase });
          // A fast controller's capture may end before this reply arrives: its end was seen, so there is nothing to show running.
          if (ended.delete(captureId)) {
            await get().loadChangeCaptures(changeId);
            return;
          }
          set({
            runningCaptures: {
              ...running(),
              [controllerId]: { captureId, phase, done: 0, total, detail: 'connecting', cancelling: false },
            },
            changeCaptureError: null,
          } as Partial<S>);
        } catch (err) {
          set({ changeCaptureError: errorOf(err) } as Partial<S>);
        }
      },
      async cancelChangeCapture(controllerId) {
        const api = get().api;
        const r = running()[controllerId];
        if (!api || !r) return;
        set({ runningCaptures: { ...running(), [controllerId]: { ...r, cancelling: true } } } as Partial<S>);
        await api.invoke('changeCaptures.cancel', { captureId: r.captureId }).catch(() => undefined);
      },
      async recordChangeCapture(changeId, captureSha256, employeeId, password) {
        const api = get().api;
        if (!api) return null;
        try {
          await api.invoke('changeCaptures.record', { changeId, captureSha256, employeeId, password });
          await get().loadChangeCaptures(changeId);
          return null;
        } catch (err) {
          return errorOf(err);
        }
      },
    };
  };
}
