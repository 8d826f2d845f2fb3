import type { ResolvedConfig } from '../config/load.js';
import type { Observability } from '../observability/index.js';
import type { TrackHandle } from '../observability/tracked-operation.js';
import type { Balancer } from '../routing/balancer.js';
import type { Usage } from '../spec/response.js';
import type { DriverRegistry } from './driver-registry.js';
import type { ClientServices } from './services.js';
import type { SharedFlights } from './shared-flights.js';
import type { StreamFlights } from './stream-flights.js';

/** Everything a client operation needs: config, drivers, observability, services and prices. */
export interface ClientContext {
  config: ResolvedConfig;
  drivers: DriverRegistry;
  observability: Observability;
  services: ClientServices;
  /** Identical concurrent cacheable calls, sharing one upstream call. */
  flights: SharedFlights;
  /** Identical concurrent cacheable streams, sharing one upstream stream. */
  streamFlights: StreamFlights;
  /** Orders a balanced route's deployments per request and counts the calls made to them. */
  balancer: Balancer;
  /** Cost in US dollars of `usage` on `model` (`provider/model`), or null when the price is unknown. */
  cost(usage: Usage, model: string): number | null;
}

/** One request's identity, clock and tracked operation (upstream time accrues on the handle). */
export interface RequestScope {
  requestId: string;
  /** `performance.now()` at the start. */
  startedAt: number;
  handle: TrackHandle<'request'>;
}
