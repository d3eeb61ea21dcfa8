import { eq } from 'drizzle-orm';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import type { Catalog } from '../../core/catalog.ts';
import type { Db } from '../../db/client.ts';
import { noticeOf } from '../../present/notices.ts';
import { ticketScreen } from '../../present/ticket.ts';
import { webhookSubscriptions, type WebhookSubscription } from '../../db/schema.ts';
import { PermanentError, RetryableError, retryAfterMs, type DeliveryJob, type OutboundAdapter, type SendResult } from '../../outbox/adapter.ts';
import { SharedPace, type PaceTable } from '../../outbox/pace.ts';

/**
 * A receiver documents no limit we could know, so a subscription has no pace of its own; a
 * 429 or 503 with Retry-After pauses it for every replica (the outbox's shared pace), so the
 * other tickets' events wait too instead of each finding out with a request of its own.
 */
const WEBHOOK_PACE: PaceTable = { namespace: 'webhook', limits: [] };

const CACHE_MS = 5_000;

/**
 * The words a person would read for this event (present/), added next to the contract's raw
 * fields so a chat relay or a dashboard needs no label table of its own: status and event
 * labels, custom fields in catalog order, the SLA line, times in the queue's zone.
 */
export function webhookDisplay(job: Pick<DeliveryJob, 'ticket' | 'eventView'>, catalog: Catalog) {
  const screen = ticketScreen({ ticket: job.ticket, catalog, reader: { role: 'agent' }, link: '', now: new Date() });
  const notice = noticeOf(job.eventView, job.ticket, 'desk', screen.zone);
  return {
    zone: screen.zone,
    status: screen.status.label,
    priority: screen.priority.label,
    type: screen.typeName,
    queue: screen.queueName,
    assignee: screen.assignee,
    fields: screen.fields.map((f) => ({ id: f.id, label: f.label, value: f.value })),
    sla: screen.sla?.line ?? null,
    event: { label: notice.label, headline: notice.headline, at: notice.at.text },
  };
}

/**
 * Webhooks: each delivery POSTs the event as JSON, signed the Standard Webhooks way
 * (webhook-id, webhook-timestamp, webhook-signature). The delivery id is the webhook-id,
 * so a receiver can dedupe a redelivery.
 */
export class WebhookOutbound implements OutboundAdapter {
  readonly channel = 'webhook';
  /** Subscriptions change rarely; a short cache saves a query per delivery. */
  private readonly cache = new Map<number, { at: number; sub: WebhookSubscription | undefined }>();
  private pace: SharedPace | undefined;

  /**
   * The catalog gives the human labels (`data.display`); without it the payload carries the raw
   * contract only. A receiver gets `timeoutMs` (DELIVERY_TIMEOUT) for its headers and its body.
   */
  constructor(
    private readonly catalog?: Catalog,
    private readonly timeoutMs = 10_000,
  ) {}

  private async subscription(db: Db, id: number): Promise<WebhookSubscription | undefined> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.sub;
    const [sub] = await db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
    this.cache.set(id, { at: Date.now(), sub });
    return sub;
  }

  async send(job: DeliveryJob, db: Db): Promise<SendResult> {
    const target = job.delivery.target as { subscriptionId?: number };
    const sub = await this.subscription(db, Number(target.subscriptionId));
    if (!sub?.active) throw new PermanentError('webhook subscription was removed');
    this.pace ??= SharedPace.of(db, WEBHOOK_PACE);
    return this.pace.send(String(sub.id), () => this.post(job, db, sub), throttledFor);
  }

  private async post(job: DeliveryJob, db: Db, sub: WebhookSubscription): Promise<SendResult> {
    const payload = JSON.stringify({
      type: `ticket.${job.event.type}`,
      timestamp: job.event.createdAt.toISOString(),
      data: { ticket: job.ticket, event: job.eventView, display: this.catalog ? webhookDisplay(job, this.catalog) : undefined },
    });
    const messageId = `msg_${job.delivery.id}`;
    const timestamp = new Date();
    const signature = new Webhook(sub.secret).sign(messageId, timestamp, payload);
    // undici's request(): the same client fetch() is built on, without the WHATWG stream layers.
    let status: number;
    let retryAfter: string | null = null;
    try {
      const response = await request(sub.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchboard-Webhooks/1',
          'webhook-id': messageId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: payload,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      status = response.statusCode;
      const header = response.headers['retry-after'];
      retryAfter = Array.isArray(header) ? (header[0] ?? null) : (header ?? null);
      await response.body.dump();
    } catch (error) {
      throw new RetryableError(`POST ${sub.url} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (status >= 200 && status < 300) return { platformMessageId: messageId };
    if (status === 429 || status === 408 || status === 425 || status >= 500) {
      const waitMs = retryAfterMs(retryAfter);
      const message = `POST ${sub.url} answered ${status}`;
      throw (status === 429 || status === 503) && waitMs !== undefined ? new SlowDown(message, waitMs) : new RetryableError(message, waitMs);
    }
    if (status === 410) {
      await db.update(webhookSubscriptions).set({ active: false }).where(eq(webhookSubscriptions.id, sub.id));
      this.cache.delete(sub.id);
    }
    throw new PermanentError(`POST ${sub.url} answered ${status}`);
  }
}

/** The receiver said when to come back (429 / 503 with Retry-After). */
class SlowDown extends RetryableError {}

function throttledFor(error: unknown): number | undefined {
  return error instanceof SlowDown ? error.retryAfterMs : undefined;
}
