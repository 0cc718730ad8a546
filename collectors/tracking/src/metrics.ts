import { Counter, Gauge, Registry } from 'prom-client';

/** The collector's Prometheus metrics, one registry per collector so several can share a process. */
export function createMetrics() {
  const registry = new Registry();
  return {
    registry,
    requests: new Counter({ name: 'tributary_tracking_requests_total', help: 'Requests by route and status code.', labelNames: ['route', 'status'] as const, registers: [registry] }),
    accepted: new Counter({ name: 'tributary_tracking_events_accepted_total', help: 'Valid events accepted for tracking.events.', registers: [registry] }),
    rejected: new Counter({ name: 'tributary_tracking_events_rejected_total', help: 'Inputs written to tracking.bad, by source.', labelNames: ['source'] as const, registers: [registry] }),
    duplicates: new Counter({ name: 'tributary_tracking_events_duplicate_total', help: 'Events dropped because their id was seen within the de-duplication window.', registers: [registry] }),
    spoolBacklog: new Gauge({ name: 'tributary_tracking_spool_backlog_events', help: 'Accepted events on disk waiting for the broker.', registers: [registry] }),
    brokerReachable: new Gauge({ name: 'tributary_tracking_broker_reachable', help: '1 while events go straight to the broker, 0 while they are spooled.', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
