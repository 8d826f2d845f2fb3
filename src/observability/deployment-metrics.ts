import { Counter, Gauge, type Registry } from 'prom-client';

/** One deployment's figures as the metrics read them (the balancer's snapshot). */
export interface DeploymentFiguresSample {
  route: string;
  deployment: string;
  state: 'closed' | 'open' | 'half-open';
  inFlight: number;
  latencyMs: number | null;
  successes: number;
  failures: number;
  share: number;
}

const STATES = ['closed', 'half-open', 'open'] as const;
const NAMES = [
  'switchyard_deployment_state',
  'switchyard_deployment_calls_total',
  'switchyard_deployment_traffic_share',
  'switchyard_deployment_latency_seconds',
  'switchyard_deployment_in_flight',
];

/**
 * Adds the balanced deployments' metrics to `registry`, read from `source` at
 * each scrape: circuit-breaker state (one series per state, 1 for the
 * current one), calls by outcome, traffic share within the route, moving
 * average latency and calls in flight. Returns a function that removes them.
 */
export function registerDeploymentMetrics(registry: Registry, source: () => DeploymentFiguresSample[]): () => void {
  const registers = [registry];
  const labelNames = ['route', 'deployment'];
  new Gauge({
    name: 'switchyard_deployment_state',
    help: "A balanced deployment's circuit breaker: 1 for its current state (closed, half-open or open).",
    labelNames: [...labelNames, 'state'],
    registers,
    collect() {
      this.reset();
      for (const sample of source()) {
        for (const state of STATES) this.set({ route: sample.route, deployment: sample.deployment, state }, sample.state === state ? 1 : 0);
      }
    },
  });
  new Counter({
    name: 'switchyard_deployment_calls_total',
    help: 'Calls sent to a balanced deployment by this instance, by outcome (success, failure).',
    labelNames: [...labelNames, 'outcome'],
    registers,
    collect() {
      this.reset();
      for (const sample of source()) {
        this.inc({ route: sample.route, deployment: sample.deployment, outcome: 'success' }, sample.successes);
        this.inc({ route: sample.route, deployment: sample.deployment, outcome: 'failure' }, sample.failures);
      }
    },
  });
  new Gauge({
    name: 'switchyard_deployment_traffic_share',
    help: "A deployment's part of the calls this instance sent to its route's deployments (0..1).",
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const sample of source()) this.set({ route: sample.route, deployment: sample.deployment }, sample.share);
    },
  });
  new Gauge({
    name: 'switchyard_deployment_latency_seconds',
    help: "Moving average of a deployment's answer latency (a stream: its first part).",
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const sample of source()) if (sample.latencyMs !== null) this.set({ route: sample.route, deployment: sample.deployment }, sample.latencyMs / 1000);
    },
  });
  new Gauge({
    name: 'switchyard_deployment_in_flight',
    help: 'Calls in flight to a deployment from this instance.',
    labelNames,
    registers,
    collect() {
      this.reset();
      for (const sample of source()) this.set({ route: sample.route, deployment: sample.deployment }, sample.inFlight);
    },
  });
  return () => {
    for (const name of NAMES) registry.removeSingleMetric(name);
  };
}
