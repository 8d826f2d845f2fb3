import type { Usage } from '../spec/response.js';
import type { ClientServices } from './services.js';
import type { UpstreamContext, UpstreamTiming } from './upstream.js';

/** Everything a client operation needs: config, drivers, events, services and prices. */
export interface ClientContext extends UpstreamContext {
  services: ClientServices;
  /** Cost in US dollars of `usage` on `model` (`provider/model`), or null when the price is unknown. */
  cost(usage: Usage, model: string): number | null;
}

/** One request's identity and clocks. */
export interface RequestScope extends UpstreamTiming {
  requestId: string;
  /** `performance.now()` at the start. */
  startedAt: number;
  /** `performance.now()` when the first part was yielded (streams). */
  firstPartAt?: number;
}
