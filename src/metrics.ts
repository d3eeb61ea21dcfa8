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

export const outboxClaimSize = new Histogram({
  name: 'switchboard_outbox_claim_size',
  help: 'Deliveries per claim: a quiet desk claims a few at a time, a backlog in batches that double while they come back full',
  buckets: [1, 4, 16, 64, 256, 1000],
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

export const databaseUnavailableResponses = new Counter({
  name: 'switchboard_database_unavailable_responses_total',
  help: 'HTTP requests answered 503 because the database was unreachable',
  registers: [registry],
});

let countDead: (() => Promise<number>) | null = null;

/** Where the dead-letter gauge reads its value at scrape time (the runtime sets it). */
export function countDeadDeliveriesWith(count: (() => Promise<number>) | null): void {
  countDead = count;
}

new Gauge({
  name: 'switchboard_outbox_dead_deliveries',
  help: 'Dead-lettered deliveries waiting to be re-queued (GET /api/v1/deliveries/dead); one count of the shared table',
  registers: [registry],
  // Counted at scrape time, bounded: with the database away the last value stays.
  async collect() {
    if (!countDead) return;
    const counted = countDead();
    const late = new Promise<null>((resolve) => setTimeout(resolve, 1_000, null).unref());
    const n = await Promise.race([counted, late]).catch(() => null);
    if (n !== null) this.set(n);
    counted.catch(() => {});
  },
});

export const uncaughtErrors = new Counter({
  name: 'switchboard_uncaught_errors_total',
  help: 'Errors that escaped every handler (uncaught exceptions, unhandled rejections); logged, the process keeps running',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const slackEventRedos = new Counter({
  name: 'switchboard_slack_event_redos_total',
  help: 'Slack events whose work was redone after their ack (a failed attempt, or one a stopped process left), by outcome: done, failed (tried again later), abandoned',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const slackAckDeadlines = new Counter({
  name: 'switchboard_slack_ack_deadline_total',
  help: 'Slack requests answered by the receiver\'s 2.5 s deadline because no listener acked in time',
  registers: [registry],
});
