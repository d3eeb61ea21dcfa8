import type { App, Receiver, ReceiverEvent } from '@slack/bolt';
import { isValidSlackRequest } from '@slack/bolt/dist/receivers/verify-request.js';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../../db/availability.ts';
import type { Logger } from '../../logger.ts';
import { slackAckDeadlines } from '../../metrics.ts';
import { cleanDeep } from '../../http/input.ts';
import { envelopeProblem } from './envelope.ts';
import { CLAIMED_EVENT, type KeptEvents } from './redo.ts';

/** Slack gives up on a request after 3 s; answer a little before that even if no listener acked. */
const ACK_DEADLINE_MS = 2_500;
/**
 * How many requests' work may run after their ack at the same time. The rest wait their turn,
 * in order, already answered (an Events API event is kept by its claim until its work is done): a burst
 * of work cannot crowd the event loop the next acks need. Each piece of work is mostly waits on
 * the database, so a few in flight keep the database busy: at 200 events/s on two cores (bench:slack)
 * 8 filed 174-200 tickets/s with an ack p99 of 19-34 ms over 4 runs; 32 filed as many with 150-285 ms,
 * 16 gave 27-70 ms, and 4 filed fewer (131-178/s).
 */
const WORK_AFTER_ACK = 8;
/** Slack's replay window: a request timestamp more than 5 minutes away from now, either way, is refused. */
const MAX_SKEW_MS = 5 * 60_000;

/**
 * Bolt's transport for a fetch-style handler mounted in Hono at POST /slack/events:
 * events, slash commands, interactivity and options on one URL. Modelled on bolt-js's
 * AwsLambdaReceiver (ssl_check → signature → url_verification → processEvent), except
 * that the HTTP response is resolved inside ack(): the listener keeps working after
 * Slack has its answer, so every request is answered within the 3-second window.
 */
export class HonoReceiver implements Receiver {
  private app: App | undefined;
  private readonly turns = new Turns(WORK_AFTER_ACK);

  constructor(
    private readonly signingSecret: string,
    private readonly logger: Logger,
    private readonly kept: KeptEvents,
    private readonly now: () => number = Date.now,
  ) {}

  init(app: App): void {
    this.app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async handle(request: Request): Promise<Response> {
    // The raw body is read once: the signature covers exactly these bytes.
    const rawBody = await request.text();
    const body = parseBody(rawBody, request.headers.get('content-type') ?? '');
    if (body && body.ssl_check !== undefined) return new Response('', { status: 200 });

    const signature = request.headers.get('x-slack-signature') ?? '';
    const timestamp = Number(request.headers.get('x-slack-request-timestamp'));
    // Bolt only refuses old timestamps; one from the future is just as replayable.
    const fresh = Number.isFinite(timestamp) && Math.abs(this.now() - timestamp * 1000) <= MAX_SKEW_MS;
    const valid = fresh && isValidSlackRequest({
      signingSecret: this.signingSecret,
      body: rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: this.now(),
    });
    if (!valid) {
      this.logger.warn({ timestamp }, 'slack: request with a bad or stale signature refused');
      return new Response('', { status: 401 });
    }
    if (!body) return new Response('', { status: 400 });
    if (body.type === 'url_verification') return Response.json({ challenge: body.challenge });
    // Signed by Slack, so acknowledged; but what Bolt cannot read is ignored, not crashed on.
    const problem = envelopeProblem(body);
    if (problem) {
      this.logger.warn({ problem, type: body.type }, 'slack: request ignored, its shape is not one Slack sends');
      return new Response('', { status: 200 });
    }

    // An Events API request is acked by Bolt before any middleware runs, so its claim (the
    // idempotency insert, the one database write on the ack path) is taken here: a redelivery
    // is answered at once, and with the database away Slack gets a 503 and redelivers instead
    // of a 200 for an event nobody recorded. The claim keeps the event until its work is done,
    // so work that fails after the 200, or that a stopped process never did, is redone (redo.ts).
    let claimed: string | undefined;
    if (typeof body.event_id === 'string') {
      claimed = `slack:event:${body.event_id}`;
      try {
        if (!(await this.kept.claim(claimed, body))) return new Response('', { status: 200 });
      } catch (error) {
        if (isDatabaseUnavailable(error)) return new Response('', { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
        throw error;
      }
    }

    if (!this.app) {
      if (claimed) this.kept.dropped(claimed);
      return new Response('', { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
    }
    const retryNum = request.headers.get('x-slack-retry-num');
    const retryReason = request.headers.get('x-slack-retry-reason');
    return this.dispatch({
      body,
      ...(claimed ? { customProperties: { [CLAIMED_EVENT]: claimed } } : {}),
      ...(retryNum ? { retryNum: Number(retryNum) } : {}),
      ...(retryReason ? { retryReason } : {}),
    });
  }

  private dispatch(event: Omit<ReceiverEvent, 'ack'>): Promise<Response> {
    const app = this.app;
    if (!app) return Promise.resolve(new Response('', { status: 503 }));
    return new Promise((resolve) => {
      let answered = false;
      const answer = (response: Response) => {
        if (answered) return;
        answered = true;
        clearTimeout(deadline);
        resolve(response);
      };
      const deadline = setTimeout(() => {
        this.logger.warn({ type: event.body.type }, 'slack: no ack within the deadline; answering 200 without a body');
        slackAckDeadlines.inc();
        answer(new Response('', { status: 200 }));
      }, ACK_DEADLINE_MS);
      deadline.unref();
      // Whether the work holds one of the turns, and whether it has finished.
      let holding = false;
      let settled = false;
      const ack = async (response?: unknown) => {
        if (answered) return;
        if (response === undefined || response === null || response === '') answer(new Response('', { status: 200 }));
        else if (typeof response === 'string') answer(new Response(response, { status: 200 }));
        else answer(Response.json(response));
        // What follows ack() (the listener's work; for an Events API request, which Bolt acks
        // first, every middleware and listener) starts once the answer is on its way, never
        // before it is written, and with a turn.
        await new Promise((resolve) => setImmediate(resolve));
        await this.turns.take();
        if (settled) this.turns.give();
        else holding = true;
      };
      app
        .processEvent({ ...event, ack })
        .finally(() => {
          settled = true;
          if (holding) this.turns.give();
        })
        .then(() => answer(new Response('', { status: 404 })))
        .catch((error: unknown) => {
          // Database away: 503 and let Slack redeliver (its retries are deduplicated by event id).
          if (isDatabaseUnavailable(error)) return answer(new Response('', { status: 503, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } }));
          if (error instanceof TypeError) {
            // Bolt read a field of a shape the envelope check let through: the request's
            // fault, not ours. Acknowledge and ignore it, as for any unusable event.
            this.logger.warn({ err: error, type: event.body.type }, 'slack: request ignored, Bolt could not read it');
            return answer(new Response('', { status: 200, headers: { 'x-slack-no-retry': '1' } }));
          }
          this.logger.error({ err: error }, 'slack: unhandled error while processing a request');
          // Ask Slack not to redeliver what we failed on; the work is idempotent anyway.
          answer(new Response('', { status: 500, headers: { 'x-slack-no-retry': '1' } }));
        });
    });
  }
}

/** A counting semaphore, first come first served. */
class Turns {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  take(): Promise<void> {
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

/** Events arrive as JSON; slash commands and interactivity form-encoded (interactivity inside `payload`). */
function parseBody(raw: string, contentType: string): Record<string, unknown> | undefined {
  try {
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(raw);
      const payload = form.get('payload');
      if (payload !== null) return asRecord(cleanDeep(JSON.parse(payload)));
      return asRecord(cleanDeep(Object.fromEntries(form)));
    }
    // Text that cannot be stored (NUL, lone surrogates) is cleaned once, here, for every listener.
    return asRecord(cleanDeep(JSON.parse(raw)));
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
