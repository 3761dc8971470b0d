/** Turns a raw bridge into the typed client: unwraps envelopes and throws ApiError with the error data. */
import type { ErrorData } from '../errors.ts';
import type { BaselineApi, BaselineBridge } from './transport.ts';
import type { OperationName, OperationRequest, OperationResponse, PushedEventName, PushedEventPayload } from './contract.ts';

/** An operation failed; `data` is what the main process said (code, message, hint). */
export class ApiError extends Error {
  readonly data: ErrorData;
  constructor(data: ErrorData) {
    super(data.message);
    this.name = 'ApiError';
    this.data = data;
  }
}

/** Wraps a bridge as a typed API client. */
export function createApiClient(bridge: BaselineBridge): BaselineApi {
  return {
    async invoke<N extends OperationName>(op: N, request: OperationRequest<N>): Promise<OperationResponse<N>> {
      const envelope = await bridge.invoke(op, request);
      if (!envelope.ok) throw new ApiError(envelope.error);
      return envelope.value as OperationResponse<N>;
    },
    on<E extends PushedEventName>(event: E, listener: (payload: PushedEventPayload<E>) => void): () => void {
      return bridge.on(event, (payload) => listener(payload as PushedEventPayload<E>));
    },
  };
}
