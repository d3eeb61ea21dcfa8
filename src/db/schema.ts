import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();
const updatedAt = () => ts('updated_at').notNull().defaultNow();

/** One row per human, keyed by lower-cased email. Every channel's identity resolves here. */
export const people = pgTable(
  'people',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    email: text('email').notNull(),
    name: text('name'),
    slackUserId: text('slack_user_id'),
    teamsAadId: text('teams_aad_id'),
    teamsUserId: text('teams_user_id'),
    /** Teams conversation reference of the person's personal chat with the bot (install event). */
    teamsConversation: jsonb('teams_conversation'),
    slackDmChannel: text('slack_dm_channel'),
    timeZone: text('time_zone'),
    preferredChannel: text('preferred_channel'),
    /** SCIM: the id we gave the directory's user, the directory's own id, and the last resource it sent. */
    scimId: text('scim_id'),
    externalId: text('external_id'),
    scim: jsonb('scim'),
    /** Directory (SCIM or catalog): a deactivated person cannot sign in and gets no new tickets. */
    active: boolean('active').notNull().default(true),
    managerId: integer('manager_id'),
    department: text('department'),
    /** An agent who marked themselves away gets no new tickets assigned. */
    away: boolean('away').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('people_email_uq').on(t.email),
    uniqueIndex('people_slack_user_uq').on(t.slackUserId),
    uniqueIndex('people_teams_aad_uq').on(t.teamsAadId),
    uniqueIndex('people_scim_id_uq').on(t.scimId),
  ],
);

/**
 * Who works the desk, from the catalog: `role` agent | lead on a queue, or admin (queue_key
 * '*', every queue). Replaced as a whole each time the catalog is loaded.
 */
export const deskRoles = pgTable(
  'desk_roles',
  {
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    queueKey: text('queue_key').notNull(),
    role: text('role').notNull(),
    /** The person's place in the queue's roster (catalog order): round robin's stable order. */
    position: integer('position').notNull().default(0),
  },
  (t) => [uniqueIndex('desk_roles_uq').on(t.personId, t.queueKey), index('desk_roles_queue_idx').on(t.queueKey, t.role)],
);

/** A service team. `key` is also the ticket key prefix (IT-1, IT-2, ...). */
export const queues = pgTable('queues', {
  key: text('key').primaryKey(),
  name: text('name').notNull(),
  calendarName: text('calendar_name').notNull(),
  calendar: jsonb('calendar').notNull(),
  slackChannel: text('slack_channel'),
  teamsChannel: text('teams_channel'),
  mailbox: text('mailbox'),
  warnAt: real('warn_at').notNull().default(0.75),
  escalation: jsonb('escalation'),
  /** How a new ticket gets an assignee: none | round_robin | least_open (from the catalog). */
  assignment: text('assignment').notNull().default('none'),
  /** The catalog's `satisfaction` ({survey, cooldown minutes}) and `follow_up` (calendar minutes) of the queue. */
  satisfaction: jsonb('satisfaction'),
  followUp: jsonb('follow_up'),
  /** Next ticket number; incremented under the row lock so keys are consecutive. */
  nextNumber: integer('next_number').notNull().default(1),
  archivedAt: ts('archived_at'),
  updatedAt: updatedAt(),
});

/**
 * Round robin's cursor per queue: the agent who got the last ticket. Locked (FOR UPDATE)
 * in the create transaction, so concurrent creates take turns instead of picking alike.
 */
export const queueAssignment = pgTable('queue_assignment', {
  queueKey: text('queue_key').primaryKey(),
  lastPersonId: integer('last_person_id'),
  updatedAt: updatedAt(),
});

/** The service catalog. Removed types that still have tickets are archived, never deleted. */
export const requestTypes = pgTable('request_types', {
  key: text('key').primaryKey(),
  queueKey: text('queue_key')
    .notNull()
    .references(() => queues.key),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  defaultPriority: text('default_priority').notNull().default('P3'),
  fields: jsonb('fields').notNull().default([]),
  sla: jsonb('sla').notNull().default({}),
  /** The catalog's approval steps, in order: [{approver: manager | queue_leads | field:<id>}]. */
  approvals: jsonb('approvals').notNull().default([]),
  position: integer('position').notNull().default(0),
  archivedAt: ts('archived_at'),
  updatedAt: updatedAt(),
});

export const tickets = pgTable(
  'tickets',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    key: text('key').notNull(),
    queueKey: text('queue_key')
      .notNull()
      .references(() => queues.key),
    number: integer('number').notNull(),
    typeKey: text('type_key')
      .notNull()
      .references(() => requestTypes.key),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').notNull().default('new'),
    priority: text('priority').notNull(),
    requesterId: integer('requester_id')
      .notNull()
      .references(() => people.id),
    assigneeId: integer('assignee_id').references(() => people.id),
    originChannel: text('origin_channel').notNull(),
    fields: jsonb('fields').notNull().default({}),
    // SLA clocks. Due times move when the clock is paused; *_at columns record outcomes.
    firstResponseDueAt: ts('first_response_due_at'),
    firstResponseAt: ts('first_response_at'),
    firstResponseWarnedAt: ts('first_response_warned_at'),
    firstResponseBreachedAt: ts('first_response_breached_at'),
    resolutionDueAt: ts('resolution_due_at'),
    resolutionWarnedAt: ts('resolution_warned_at'),
    resolutionBreachedAt: ts('resolution_breached_at'),
    resolvedAt: ts('resolved_at'),
    closedAt: ts('closed_at'),
    slaPausedAt: ts('sla_paused_at'),
    slaPausedMinutes: real('sla_paused_minutes').notNull().default(0),
    /**
     * The next instant the SLA scanner must look at this ticket; null = nothing pending. Not indexed
     * here: triggers (migrations 0021, 0027) copy it to ticket_sla_checks, the scanner's due list
     * (the scanner's own batch update moves both itself).
     */
    nextSlaCheckAt: ts('next_sla_check_at'),
    // Stored when a clock stops, so reports are SQL aggregation (business minutes, waiting excluded).
    firstResponseMinutes: real('first_response_minutes'),
    resolutionMinutes: real('resolution_minutes'),
    reopenCount: integer('reopen_count').notNull().default(0),
    agentReplies: integer('agent_replies').notNull().default(0),
    /** What readers show of the approval steps and the rating (kept by src/core/approvals.ts and satisfaction.ts). */
    approvals: jsonb('approvals').notNull().default([]),
    satisfaction: jsonb('satisfaction'),
    /** The next follow-up instant (a nudge, an auto-resolve, an auto-close) and how many nudges went out. */
    followUpAt: ts('follow_up_at'),
    followUpStep: integer('follow_up_step').notNull().default(0),
    /** Set by the migration for tickets whose durations the start-up backfill still has to compute. */
    durationsPending: boolean('durations_pending').notNull().default(false),
    /**
     * The next SLA instant the desk sorts by: the pending first response, else the resolution;
     * 'infinity' once resolved or while the clock is paused. Generated (migration 0014), so every
     * writer keeps it right; text ('infinity' is no JS Date), compared in SQL only.
     */
    slaDueAt: timestamp('sla_due_at', { withTimezone: true, mode: 'string' }).generatedAlwaysAs(
      sql`CASE WHEN status IN ('resolved', 'closed') OR sla_paused_at IS NOT NULL THEN 'infinity'::timestamptz ELSE coalesce(least(CASE WHEN first_response_at IS NULL THEN first_response_due_at END, resolution_due_at), 'infinity'::timestamptz) END`,
    ),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('tickets_key_uq').on(t.key),
    // createTicket numbers a ticket in the statement that inserts it, its transaction's last, so
    // the per-queue counter lock is held from there to commit. (number 0 was the placeholder of
    // tickets numbered by a later update.)
    uniqueIndex('tickets_queue_number_uq')
      .on(t.queueKey, t.number)
      .where(sql`${t.number} > 0`),
    index('tickets_status_idx').on(t.queueKey, t.status, t.id),
    index('tickets_requester_idx').on(t.requesterId, t.id),
    index('tickets_assignee_idx').on(t.assigneeId, t.id),
    index('tickets_queue_created_idx').on(t.queueKey, t.createdAt),
    index('tickets_durations_pending_idx').on(t.id).where(sql`${t.durationsPending}`),
    // For the overview report (0013). Drizzle has no INCLUDE, so the migration is the definition:
    // tickets_queue_created_idx carries first_response_minutes and resolution_minutes (percentiles
    // from the index alone), tickets_queue_resolved_idx carries created_at, and
    // tickets_clocks_running_idx the clock columns the report reads of a running ticket (0025: no
    // *_breached_at column, in the key, INCLUDE or predicate, so the scanner's breach is a HOT update).
    index('tickets_clocks_running_idx')
      .on(t.queueKey, t.createdAt)
      .where(sql`${t.slaPausedAt} is null and (${t.firstResponseAt} is null or (${t.resolvedAt} is null and ${t.closedAt} is null))`),
    index('tickets_open_created_idx').on(t.queueKey, t.createdAt).where(sql`${t.status} not in ('resolved', 'closed')`),
    index('tickets_queue_resolved_idx').on(t.queueKey, t.resolvedAt).where(sql`${t.resolvedAt} is not null`),
    index('tickets_queue_closed_unresolved_idx').on(t.queueKey, t.closedAt).where(sql`${t.resolvedAt} is null and ${t.closedAt} is not null`),
    index('tickets_queue_due_idx').on(t.queueKey, t.slaDueAt, t.id),
    index('tickets_queue_status_due_idx').on(t.queueKey, t.status, t.slaDueAt, t.id),
    // The unassigned pile, in due order: the list a lead opens first.
    index('tickets_unassigned_due_idx')
      .on(t.queueKey, t.status, t.slaDueAt, t.id)
      .where(sql`${t.assigneeId} is null`),
    index('tickets_due_idx').on(t.slaDueAt, t.id),
    index('tickets_queue_updated_idx').on(t.queueKey, t.updatedAt, t.id),
    index('tickets_updated_idx').on(t.updatedAt, t.id),
    index('tickets_follow_up_idx')
      .on(t.followUpAt)
      .where(sql`${t.followUpAt} is not null`),
  ],
);

/**
 * The SLA scanner's due list: a ticket's next_sla_check_at, one narrow row per ticket with a check
 * pending, kept by triggers on tickets in the statement that changes it (migrations 0021, 0027;
 * the scanner's batch update writes it in the same statement instead). The
 * scanner claims here, so the wide ticket row carries no index on a column the scanner moves and
 * its update of a warned ticket stays HOT (tickets has fillfactor 90 for that, set in 0021).
 */
export const ticketSlaChecks = pgTable(
  'ticket_sla_checks',
  {
    ticketId: integer('ticket_id')
      .primaryKey()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    nextCheckAt: ts('next_check_at').notNull(),
  },
  (t) => [index('ticket_sla_checks_due_idx').on(t.nextCheckAt)],
);

/**
 * One row per approval step of a ticket, decided in order. `approverId` is the person who must
 * decide (null = any lead of the queue: a queue_leads step, or a step whose approver is missing,
 * with `fallbackReason`). `requestedAt` is set when the step's turn comes; the scanner reminds at
 * `nextReminderAt` (twice at most, then tells the leads).
 */
export const approvalSteps = pgTable(
  'approval_steps',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    step: integer('step').notNull(),
    rule: text('rule').notNull(),
    approverId: integer('approver_id').references(() => people.id),
    fallbackReason: text('fallback_reason'),
    /** pending | approved | rejected */
    state: text('state').notNull().default('pending'),
    requestedAt: ts('requested_at'),
    reminders: integer('reminders').notNull().default(0),
    nextReminderAt: ts('next_reminder_at'),
    leadsToldAt: ts('leads_told_at'),
    decidedBy: integer('decided_by').references(() => people.id),
    decidedAt: ts('decided_at'),
    decidedChannel: text('decided_channel'),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('approval_steps_ticket_step_uq').on(t.ticketId, t.step),
    index('approval_steps_approver_idx').on(t.approverId, t.state),
    index('approval_steps_reminder_idx')
      .on(t.nextReminderAt)
      .where(sql`${t.nextReminderAt} is not null`),
  ],
);

/** One satisfaction survey per ticket: asked on resolve (asked_at), answered on any channel (rating 1–5). */
export const satisfactionSurveys = pgTable(
  'satisfaction_surveys',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    queueKey: text('queue_key').notNull(),
    requesterId: integer('requester_id')
      .notNull()
      .references(() => people.id),
    /** The assignee when it was asked: the report's "by agent". */
    agentId: integer('agent_id').references(() => people.id),
    /** The ticket's origin channel: the report's "by channel". */
    channel: text('channel').notNull(),
    askedAt: ts('asked_at'),
    rating: integer('rating'),
    comment: text('comment'),
    ratedAt: ts('rated_at'),
    ratedChannel: text('rated_channel'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('satisfaction_surveys_ticket_uq').on(t.ticketId),
    index('satisfaction_surveys_queue_asked_idx').on(t.queueKey, t.askedAt),
    index('satisfaction_surveys_requester_idx').on(t.requesterId, t.queueKey, t.askedAt),
  ],
);

/**
 * The overview report's rollup: per queue and UTC hour, the counts of the tickets created in it
 * (by channel, clock verdicts that do not depend on the time of asking, reopens, first-contact
 * resolutions) and of those done in it. Kept exact by triggers on tickets (0013), deferred to commit.
 * fr_breached / res_breached count the clocks marked breached that are not running (0025): the
 * report reads running clocks live, so the scanner's breach of one changes no count here.
 */
export const ticketHours = pgTable(
  'ticket_hours',
  {
    queueKey: text('queue_key').notNull(),
    hour: ts('hour').notNull(),
    created: integer('created').notNull().default(0),
    chSlack: integer('ch_slack').notNull().default(0),
    chTeams: integer('ch_teams').notNull().default(0),
    chEmail: integer('ch_email').notNull().default(0),
    chWeb: integer('ch_web').notNull().default(0),
    chApi: integer('ch_api').notNull().default(0),
    chOther: integer('ch_other').notNull().default(0),
    frStopped: integer('fr_stopped').notNull().default(0),
    frWaiting: integer('fr_waiting').notNull().default(0),
    frMet: integer('fr_met').notNull().default(0),
    frBreached: integer('fr_breached').notNull().default(0),
    resStopped: integer('res_stopped').notNull().default(0),
    resWaiting: integer('res_waiting').notNull().default(0),
    resMet: integer('res_met').notNull().default(0),
    resBreached: integer('res_breached').notNull().default(0),
    reopened: integer('reopened').notNull().default(0),
    fcr: integer('fcr').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    done: integer('done').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'ticket_hours_pk', columns: [t.queueKey, t.hour] })],
);

/** Append-only timeline. `idempotencyKey` makes a retried platform event a no-op. */
export const ticketEvents = pgTable(
  'ticket_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    type: text('type').notNull(),
    visibility: text('visibility').notNull().default('public'),
    actorId: integer('actor_id').references(() => people.id),
    actorRole: text('actor_role').notNull().default('system'),
    channel: text('channel').notNull(),
    body: text('body').notNull().default(''),
    data: jsonb('data').notNull().default({}),
    /** The anchor the event came from: it gets a card update but no echo. */
    originAnchorId: integer('origin_anchor_id'),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
  },
  (t) => [
    // Partial (0027): most events (the scanner's, the system's) have no key, and a null key in a
    // full index was one more index entry written per event, for a lookup that never asks for it.
    uniqueIndex('ticket_events_idempotency_uq').on(t.idempotencyKey).where(sql`${t.idempotencyKey} is not null`),
    index('ticket_events_ticket_idx').on(t.ticketId, t.id),
  ],
);

/**
 * Where a ticket lives on a channel: a Slack thread, a Teams conversation, an email
 * Message-ID. Unique per (channel, external_ref): that is how a reply finds its ticket.
 */
export const anchors = pgTable(
  'anchors',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    channel: text('channel').notNull(),
    side: text('side').notNull(),
    personId: integer('person_id').references(() => people.id),
    externalRef: text('external_ref').notNull(),
    /** Platform message id of the ticket's card on this anchor, for edits in place. */
    cardRef: text('card_ref'),
    data: jsonb('data').notNull().default({}),
    lastUsedAt: ts('last_used_at').notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('anchors_channel_ref_uq').on(t.channel, t.externalRef),
    index('anchors_ticket_idx').on(t.ticketId, t.side),
  ],
);

/**
 * The transactional outbox: one row per mirror target per event. No foreign keys (migration 0027):
 * a row is written only in the transaction of its event, and events, tickets, people and anchors
 * are never deleted, while the per-row checks were a quarter of the SLA scanner's Postgres time.
 */
export const deliveries = pgTable(
  'deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Null for a notice to one person that belongs to no ticket (a sign-in link): kind 'notice'. */
    eventId: bigint('event_id', { mode: 'number' }),
    /** Its event's ticket. */
    ticketId: integer('ticket_id'),
    channel: text('channel').notNull(),
    audience: text('audience').notNull(),
    /** Deliveries of one ticket in one lane (e.g. slack:triage) are sent in order. */
    lane: text('lane').notNull(),
    /** message = post the event (and refresh the card); card = refresh the card only. */
    kind: text('kind').notNull().default('message'),
    personId: integer('person_id'),
    anchorId: integer('anchor_id'),
    target: jsonb('target').notNull().default({}),
    /** pending | sending | sent | dead. A 'sending' row's lease runs to leased_until. */
    status: text('status').notNull().default('pending'),
    /**
     * What the indexes know of the status: 'open' (pending or sending), 'sent' or 'dead'. A claim
     * (pending → sending) changes no indexed value, so it is a HOT update: no index entry written.
     */
    phase: text('phase')
      .notNull()
      .generatedAlwaysAs(sql`case when status in ('pending', 'sending') then 'open' else status end`),
    attempts: integer('attempts').notNull().default(0),
    /** When it is due; a claim leaves it as it was (the lease is leased_until), a retry moves it on. */
    nextAttemptAt: ts('next_attempt_at').notNull().defaultNow(),
    /** The lease of a 'sending' row: a worker killed mid-send loses the delivery to another worker then. */
    leasedUntil: ts('leased_until'),
    lastError: text('last_error'),
    /** When the delivery was last re-queued from the dead letters: its retry window starts again then. */
    requeuedAt: ts('requeued_at'),
    platformMessageId: text('platform_message_id'),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
  },
  // Every predicate is on phase, none on status (0026): see phase. The table has fillfactor 50 so
  // that a claimed row's new version finds room on its page (a HOT update needs it there).
  (t) => [
    // The claim's scan: what is still to send, in due order (a 'sending' row stays in it, skipped while its lease runs).
    index('deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.phase} = 'open'`),
    index('deliveries_dead_idx')
      .on(t.id)
      .where(sql`${t.phase} = 'dead'`),
    // Found by event only once sent (0024): a pending delivery, and its claim, skip this index.
    index('deliveries_event_idx')
      .on(t.eventId)
      .where(sql`${t.phase} = 'sent'`),
    index('deliveries_lane_idx')
      .on(t.ticketId, t.lane, t.id)
      .where(sql`${t.phase} = 'open'`),
  ],
);

export const webhookSubscriptions = pgTable('webhook_subscriptions', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  /** Event types to send; empty = all. */
  events: jsonb('events').notNull().default([]),
  includeInternal: boolean('include_internal').notNull().default(true),
  active: boolean('active').notNull().default(true),
  createdAt: createdAt(),
});

/**
 * Every inbound platform message we saw, kept raw so nothing is lost: email sources,
 * ignored auto-replies and bounces (with the reason), for audit and reprocessing.
 */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    channel: text('channel').notNull(),
    externalId: text('external_id').notNull(),
    mailbox: text('mailbox'),
    /** ticketed | commented | ignored | failed */
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    ticketId: integer('ticket_id').references(() => tickets.id),
    rawPath: text('raw_path'),
    headers: jsonb('headers').notNull().default({}),
    receivedAt: createdAt(),
  },
  (t) => [uniqueIndex('inbound_messages_channel_ext_uq').on(t.channel, t.externalId)],
);

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The desk's full-text index, one row per ticket, written in the transaction of the command that
 * changes what it covers (src/core/search-index.ts). `public_doc`: key and title (A), description
 * (B), field values (C), public comments (D); `internal_doc`: internal notes, searched by agents
 * only. Text-search configuration `desk_search` (english + unaccent where the engine has it).
 */
export const ticketSearch = pgTable(
  'ticket_search',
  {
    ticketId: integer('ticket_id')
      .primaryKey()
      .references(() => tickets.id),
    publicDoc: tsvector('public_doc').notNull().default(sql`''::tsvector`),
    internalDoc: tsvector('internal_doc').notNull().default(sql`''::tsvector`),
  },
  (t) => [index('ticket_search_public_idx').using('gin', t.publicDoc), index('ticket_search_internal_idx').using('gin', t.internalDoc)],
);

/**
 * Knowledge articles, loaded from KNOWLEDGE_DIR (Markdown with front matter) at start and on
 * change. `search` is the weighted tsvector (title A, tags B, summary C, body D) built with the
 * text-search configuration of the article's language; `keywords` feeds trigram similarity.
 */
export const kbArticles = pgTable('kb_articles', {
  slug: text('slug').primaryKey(),
  title: text('title').notNull(),
  summary: text('summary').notNull().default(''),
  body: text('body').notNull(),
  lang: text('lang').notNull().default('en'),
  config: text('config').notNull().default('simple'),
  queues: jsonb('queues').notNull().default([]),
  types: jsonb('types').notNull().default([]),
  tags: jsonb('tags').notNull().default([]),
  search: tsvector('search').notNull(),
  /** The title's (A) and tags' (B) lexemes alone, GIN-indexed: "a query word is in the title or tags" without reading the articles. */
  heading: tsvector('heading').notNull().default(sql`''::tsvector`),
  keywords: text('keywords').notNull().default(''),
  digest: text('digest').notNull(),
  updatedAt: updatedAt(),
});

/** The words of article titles, tags and summaries, with how many articles use each: spelling correction's vocabulary. */
export const kbWords = pgTable('kb_words', {
  word: text('word').primaryKey(),
  ndoc: integer('ndoc').notNull(),
});

/** Per text-search configuration, each lexeme's number of articles (lexeme '' = the configuration's article count). */
export const kbLexemes = pgTable(
  'kb_lexemes',
  {
    config: text('config').notNull(),
    lexeme: text('lexeme').notNull(),
    ndoc: integer('ndoc').notNull(),
  },
  (t) => [primaryKey({ name: 'kb_lexemes_pk', columns: [t.config, t.lexeme] })],
);

/**
 * What people did with suggested articles, per article and channel: shown, clicked, solved
 * ("That solved it") and filed (a request filed anyway after seeing it). `dedupe_key` keeps a
 * suggestion shown again to the same form, or a double click, from counting twice.
 */
export const kbFeedback = pgTable(
  'kb_feedback',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    slug: text('slug').notNull(),
    channel: text('channel').notNull(),
    event: text('event').notNull(),
    email: text('email'),
    query: text('query').notNull().default(''),
    dedupeKey: text('dedupe_key'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('kb_feedback_dedupe_uq').on(t.dedupeKey), index('kb_feedback_slug_idx').on(t.slug, t.channel, t.event)],
);

/** Small key/value store for generated secrets shared by every replica. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});

/**
 * Platform events already taken (Slack `event_id`, Teams activity id), shared by every
 * replica: a redelivery after a restart or on another replica is a no-op, and a Teams
 * invoke redelivered gets the answer stored for its first delivery.
 */
export const inboundEvents = pgTable(
  'inbound_events',
  {
    key: text('key').primaryKey(),
    /** The invoke response ({status, body}) of the first delivery, once it is known. */
    response: jsonb('response'),
    /**
     * The event itself (a Slack envelope), kept until its work is done: Slack has its 200 before
     * the work runs, so a failed attempt, or one a dead process left, is redone from here (0023).
     */
    body: jsonb('body'),
    attempts: integer('attempts').notNull().default(0),
    /** When the claim may be redone: the lease of the attempt in flight, or the backoff after a failed one. */
    nextAttemptAt: ts('next_attempt_at'),
    lastError: text('last_error'),
    doneAt: ts('done_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('inbound_events_created_idx').on(t.createdAt),
    index('inbound_events_redo_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.body} is not null and ${t.doneAt} is null`),
  ],
);

/**
 * Outbound pace shared by every replica: one GCRA cell per (platform target, limit).
 * `tat_ms` is the theoretical arrival time of the next message (epoch ms); see src/outbox/pace.ts.
 */
export const paceBuckets = pgTable('pace_buckets', {
  key: text('key').primaryKey(),
  tatMs: doublePrecision('tat_ms').notNull(),
  intervalMs: doublePrecision('interval_ms').notNull(),
  toleranceMs: doublePrecision('tolerance_ms').notNull(),
  updatedAt: updatedAt(),
});

/** An API Idempotency-Key and the fingerprint of the request it was first used with. */
export const apiIdempotency = pgTable('api_idempotency', {
  key: text('key').primaryKey(),
  fingerprint: text('fingerprint').notNull(),
  createdAt: createdAt(),
});

/** SCIM groups as the directory provisions them; membership is stored, not yet used for roles. */
export const directoryGroups = pgTable(
  'directory_groups',
  {
    id: text('id').primaryKey(),
    displayName: text('display_name').notNull(),
    externalId: text('external_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('directory_groups_name_uq').on(t.displayName)],
);

export const directoryGroupMembers = pgTable(
  'directory_group_members',
  {
    groupId: text('group_id')
      .notNull()
      .references(() => directoryGroups.id, { onDelete: 'cascade' }),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
  },
  (t) => [primaryKey({ name: 'directory_group_members_pk', columns: [t.groupId, t.personId] })],
);

/** A signed-in browser: only the SHA-256 of the cookie's token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    tokenHash: text('token_hash').notNull(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    /** oidc | link */
    method: text('method').notNull(),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    endedAt: ts('ended_at'),
  },
  (t) => [uniqueIndex('sessions_token_uq').on(t.tokenHash)],
);

/** One-time sign-in links (hashed), issued when the outbox sends the notice that carries one. */
export const signInLinks = pgTable(
  'sign_in_links',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    tokenHash: text('token_hash').notNull(),
    personId: integer('person_id')
      .notNull()
      .references(() => people.id),
    deliveryId: bigint('delivery_id', { mode: 'number' }),
    next: text('next'),
    createdAt: createdAt(),
    expiresAt: ts('expires_at').notNull(),
    usedAt: ts('used_at'),
  },
  (t) => [uniqueIndex('sign_in_links_token_uq').on(t.tokenHash), index('sign_in_links_delivery_idx').on(t.deliveryId)],
);

export type Person = typeof people.$inferSelect;
export type DeskRole = typeof deskRoles.$inferSelect;
export type Queue = typeof queues.$inferSelect;
export type RequestType = typeof requestTypes.$inferSelect;
export type Ticket = typeof tickets.$inferSelect;
export type ApprovalStep = typeof approvalSteps.$inferSelect;
export type SatisfactionSurvey = typeof satisfactionSurveys.$inferSelect;
export type TicketEvent = typeof ticketEvents.$inferSelect;
export type Anchor = typeof anchors.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;
export type InboundMessage = typeof inboundMessages.$inferSelect;
export type WebhookSubscription = typeof webhookSubscriptions.$inferSelect;
