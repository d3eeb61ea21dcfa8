import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process; /metrics renders it in the Prometheus text format. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
  name: 'switchboard_http_requests_total',
  help: 'HTTP requests by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpDuration = new Histogram({
  name: 'switchboard_http_request_duration_seconds',
  help: 'HTTP request latency by route',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const deliveriesTotal = new Counter({
  name: 'switchboard_deliveries_total',
  help: 'Outbox deliveries by channel and outcome (sent, retried, dead)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [registry],
});

export const outboxLag = new Gauge({
  name: 'switchboard_outbox_lag_seconds',
  help: 'Age of the oldest due, unsent delivery (0 when the outbox is empty)',
  registers: [registry],
});

export const ticketsCreated = new Counter({
  name: 'switchboard_tickets_created_total',
  help: 'Tickets created by origin channel',
  labelNames: ['channel'] as const,
  registers: [registry],
});

export const slaEvents = new Counter({
  name: 'switchboard_sla_events_total',
  help: 'SLA warnings and breaches fired, by clock',
  labelNames: ['type', 'clock'] as const,
  registers: [registry],
});
