import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.ts';
import { isDatabaseUnavailable, OutageLog } from '../../db/availability.ts';
import { resultRows } from '../../db/migrate.ts';
import { backoffDelay } from '../backoff.ts';
import { reusable } from '../../db/reusable.ts';
import { queues, requestTypes, tickets, ticketSlaChecks, type Ticket } from '../../db/schema.ts';
import { logger as rootLogger, type Logger } from '../../logger.ts';
import { slaEvents } from '../../metrics.ts';
import { nextCheckAt, onScan, rulesFor, type SlaEvent, type SlaRules } from './clocks.ts';
import { appendSlaEvents, updateTickets, type ScannedTicket, type TicketUpdate } from './scan-writes.ts';
import type { CoreContext } from '../tickets.ts';
import { scanApprovalReminders } from '../approval-reminders.ts';
import { scanFollowUps } from '../follow-ups.ts';

/**
 * The SLA scanner: claims tickets whose next_sla_check_at has come (an indexed range on the
 * narrow due list ticket_sla_checks, never a scan of every open ticket), fires warnings and
 * breaches, and moves next_sla_check_at to the next moment something can happen (and its
 * due-list row with it, in the same statement: see updateTickets in scan-writes.ts).
 *
 * Exactly once per clock: the claim is FOR UPDATE SKIP LOCKED of the due-list row and the
 * ticket row, the *_warned_at and *_breached_at guards are read from the locked ticket and
 * written in the same transaction as the events, so N scanners (or a scanner racing a user
 * command) never fire twice.
 *
 * A batch is written set-wise: one insert for its events, one for their deliveries (planned
 * by the same mirroring rules as every other event: triage side for internal events,
 * escalation targets for breaches) and one update for its tickets. That keeps a pass
 * proportional to the number of tickets due, at a few statements per batch.
 */

export interface ScanResult {
  /** Rows taken off the due list (a full batch means there may be more). */
  claimed: number;
  /** Tickets still due once locked (with or without something to fire): each counted once. */
  checked: number;
  warned: number;
  breached: number;
}


// The rules' reads, built once (the query builder spent ~2 ms of CPU per batch building the old
// inArray lists of 500 parameters each). Type keys travel as one JSON array: a single parameter
// however many rows.
const allQueues = reusable('sla_all_queues', (conn) => conn.select().from(queues));
const slaOfTypes = reusable('sla_of_types', (conn) =>
  conn
    .select({ key: requestTypes.key, sla: requestTypes.sla })
    .from(requestTypes)
    .where(sql`${requestTypes.key} = any(array(select json_array_elements_text(${sql.placeholder('keys')}::json)))`),
);
/** A timestamptz as the driver gives it: a Date (PGlite) or Postgres's text (postgres.js under Drizzle). */
function instant(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value : new Date(value as string);
}

/**
 * The claim, written out rather than built, and its rows read by hand: the query builder's mapping
 * of 18 columns of 500 rows (a class check and a decoder call per value) was a fifth of the
 * scanner's own CPU in a pass (bench:sla BENCH_PROFILE).
 */
async function claimDue(tx: Tx, now: Date, batchSize: number): Promise<ScannedTicket[]> {
  const rows = resultRows<Record<string, unknown>>(
    await tx.execute(sql`
      select t.id, t.queue_key, t.type_key, t.priority, t.requester_id, t.status, t.created_at,
             t.first_response_due_at, t.first_response_at, t.first_response_warned_at, t.first_response_breached_at,
             t.resolution_due_at, t.resolution_warned_at, t.resolution_breached_at, t.resolved_at,
             t.next_sla_check_at, t.sla_paused_at, t.sla_paused_minutes
      from ${ticketSlaChecks} c join ${tickets} t on t.id = c.ticket_id
      where c.next_check_at <= ${now.toISOString()}::timestamptz
      order by c.next_check_at
      limit ${batchSize}
      for update of t skip locked`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    queueKey: r.queue_key as string,
    typeKey: r.type_key as string,
    priority: r.priority as Ticket['priority'],
    requesterId: Number(r.requester_id),
    status: r.status as Ticket['status'],
    createdAt: instant(r.created_at)!,
    firstResponseDueAt: instant(r.first_response_due_at),
    firstResponseAt: instant(r.first_response_at),
    firstResponseWarnedAt: instant(r.first_response_warned_at),
    firstResponseBreachedAt: instant(r.first_response_breached_at),
    resolutionDueAt: instant(r.resolution_due_at),
    resolutionWarnedAt: instant(r.resolution_warned_at),
    resolutionBreachedAt: instant(r.resolution_breached_at),
    resolvedAt: instant(r.resolved_at),
    nextSlaCheckAt: instant(r.next_sla_check_at),
    slaPausedAt: instant(r.sla_paused_at),
    slaPausedMinutes: Number(r.sla_paused_minutes),
  }));
}

export async function scanSla(ctx: CoreContext, options: { batchSize?: number } = {}): Promise<ScanResult> {
  const batchSize = options.batchSize ?? 500;
  return ctx.db.transaction(async (tx) => {
    const now = ctx.now();
    // The ticket row is locked, so the guards are read from a row no command or other scanner can
    // change under us; a locked one is skipped and the due list read on past it (LIMIT counts locked
    // rows only). The due-list row is not locked: every writer reaches it through its ticket's row.
    // A ticket another scanner handled since this statement's snapshot is re-read once locked: its
    // next check and guards then say what was done, so it is dropped below, never fired twice. (Testing
    // tickets.next_sla_check_at here too would skip it, but that unindexed filter turns the plan into
    // a scan of every ticket.)
    const rows = (await claimDue(tx, now, batchSize))
      // Written in (queue, creation) order, so any rollup rows the batch updates at commit
      // (ticket_hours, by queue and creation hour) are locked in one order by every scanner. (The
      // breach of a running clock updates none since migration 0025; the order stays as a guard.)
      // Code-unit order of the key: the same in every scanner, without localeCompare's cost.
      .sort((a, b) => (a.queueKey < b.queueKey ? -1 : a.queueKey > b.queueKey ? 1 : a.createdAt.getTime() - b.createdAt.getTime()));
    // A ticket another scanner handled since the due list was read comes back locked with its new
    // next check (later, or none): it is nobody's work now, and not counted again.
    const claimed = rows.filter((t) => t.nextSlaCheckAt !== null && t.nextSlaCheckAt.getTime() <= now.getTime());
    const result: ScanResult = { claimed: rows.length, checked: claimed.length, warned: 0, breached: 0 };
    if (!claimed.length) return result;

    const typeKeys = [...new Set(claimed.map((t) => t.typeKey))];
    // Pipelined on the transaction's connection: one round trip for both.
    const [queueRows, typeRows] = await Promise.all([allQueues(tx, {}), slaOfTypes(tx, { keys: JSON.stringify(typeKeys) })]);
    const queueOf = new Map(queueRows.map((q) => [q.key, q]));
    const typeOf = new Map(typeRows.map((t) => [t.key, t]));

    const updates: TicketUpdate[] = [];
    const fired: Array<{ ticket: ScannedTicket; event: SlaEvent }> = [];
    const rulesOf = new Map<string, SlaRules>();
    for (const ticket of claimed) {
      const rulesKey = `${ticket.queueKey}:${ticket.typeKey}:${ticket.priority}`;
      let rules = rulesOf.get(rulesKey);
      if (!rules) {
        rules = rulesFor(queueOf.get(ticket.queueKey)!, typeOf.get(ticket.typeKey), ticket.priority);
        rulesOf.set(rulesKey, rules);
      }
      const change = onScan(ticket, rules, now);
      const next = { ...ticket, ...change.patch };
      updates.push({
        id: ticket.id,
        next: nextCheckAt(next, rules)?.toISOString() ?? null,
        frw: next.firstResponseWarnedAt?.toISOString() ?? null,
        frb: next.firstResponseBreachedAt?.toISOString() ?? null,
        rw: next.resolutionWarnedAt?.toISOString() ?? null,
        rb: next.resolutionBreachedAt?.toISOString() ?? null,
      });
      for (const event of change.events) {
        fired.push({ ticket: next, event });
        if (event.type === 'sla_warning') result.warned += 1;
        if (event.type === 'sla_breached') result.breached += 1;
      }
    }
    // Pipelined on the transaction's connection (run in this order, one round trip): the tickets'
    // update, the events' insert and the reads their deliveries need.
    await Promise.all([updateTickets(tx, updates), fired.length ? appendSlaEvents(tx, ctx.enabled, fired, queueOf, now) : null]);
    for (const { event } of fired) slaEvents.inc({ type: event.type, clock: String(event.data.clock) });
    return result;
  });
}

export interface SlaScannerOptions {
  core: CoreContext;
  /** How often to look for due clocks; warnings and breaches are at most this late. */
  intervalMs?: number;
  batchSize?: number;
  /**
   * Batches in flight at once in a pass, each its own transaction on its own pooled connection
   * (SKIP LOCKED keeps them apart, as it does N scanners). More than one lets a big pass use both
   * cores of a small machine: one batch computes in Node while another writes in Postgres and a
   * third waits on its commit. The service runs 3 on Postgres: at 1 M open / 10 k due on two
   * cores, the first pass after a checkpoint took 790–857 ms with 3 and 896–991 ms with 2, later
   * passes the same (bench:sla, stop 31; at stop 30, before the Node side got cheaper, 3 were no
   * better). Default 1.
   */
  concurrency?: number;
  logger?: Logger;
}

/** Runs scanSla every interval until nothing is due. Safe to run in several processes. */
export class SlaScanner {
  private readonly intervalMs: number;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<ScanResult> | null = null;
  private running = false;
  private readonly outage: OutageLog;

  constructor(private readonly options: SlaScannerOptions) {
    this.intervalMs = options.intervalMs ?? 15_000;
    this.batchSize = options.batchSize ?? 500;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
    this.log = (options.logger ?? rootLogger).child({ component: 'sla-scanner' });
    this.outage = new OutageLog(this.log, 'SLA scanner');
  }

  /** One pass: in each of `concurrency` lanes, batches until a batch comes back short. */
  async runOnce(): Promise<ScanResult> {
    const total: ScanResult = { claimed: 0, checked: 0, warned: 0, breached: 0 };
    const lane = async () => {
      for (;;) {
        const batch = await scanSla(this.options.core, { batchSize: this.batchSize });
        total.claimed += batch.claimed;
        total.checked += batch.checked;
        total.warned += batch.warned;
        total.breached += batch.breached;
        if (batch.claimed < this.batchSize) return;
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, lane));
    // Approval reminders run on the same schedule, claimed the same way (SKIP LOCKED), so replicas remind once.
    while ((await scanApprovalReminders(this.options.core, { batchSize: this.batchSize })) >= this.batchSize);
    // Follow-ups (nudges, auto-resolve, auto-close): one ticket per transaction, SKIP LOCKED.
    while ((await scanFollowUps(this.options.core, { limit: this.batchSize })) >= this.batchSize);
    return total;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      this.current = this.runOnce();
      this.current
        .then((result) => {
          this.outage.recovered();
          if (result.warned || result.breached) this.log.info(result, 'SLA pass');
        })
        .catch((error: unknown) => {
          // Database away: one warning per outage, and the next pass soon (backoff up to the interval).
          if (isDatabaseUnavailable(error)) this.outage.failed(error);
          else this.log.error({ err: error }, 'SLA pass failed');
        })
        .finally(() => {
          this.current = null;
          const delayMs = this.outage.down ? Math.min(this.intervalMs, backoffDelay(this.outage.failureCount, 500, 5_000)) : this.intervalMs;
          if (this.running) this.timer = setTimeout(tick, delayMs);
        });
    };
    tick();
  }

  /** Stop scheduling and wait for a pass in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.current?.catch(() => {});
  }
}
