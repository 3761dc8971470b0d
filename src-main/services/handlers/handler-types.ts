/**
 * The shape of the API's handlers: one function per contract operation, grouped by domain. Each domain's file
 * (`<domain>-handlers.ts`) answers its part of the contract, each handler one call into a service.
 */
import type { OperationName, OperationResponse, ValidRequest } from '../../../src-shared/common/api/contract.ts';
import type { DemoSimulators } from '../demo-simulators.ts';

/** The handler of one operation. */
export type Handler<N extends OperationName> = (request: ValidRequest<N>) => OperationResponse<N> | Promise<OperationResponse<N>>;

/** One handler per operation; the compiler refuses a contract operation without one. */
export type Handlers = { [N in OperationName]: Handler<N> };

/** The handlers of one domain's part of the contract (its `<DOMAIN>_OPERATIONS`). */
export type DomainHandlers<Ops> = { [N in keyof Ops & OperationName]: Handler<N> };

/** What only the hosting program can do: switch to a demo plant, and reach the demo's simulated controllers. */
export interface DemoHost {
  explore(): Promise<{ home: string }>;
  simulators(): DemoSimulators | null;
}
