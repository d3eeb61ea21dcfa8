import { z } from 'zod';
import type { EventView, TicketView } from '../core/view.ts';
import { channelLabel, clockLabel, eventLabel, personLabel, priorityLabel, speakerName, statusLabel, type Audience } from './labels.ts';
import { absolute, shortTime, type When } from './time.ts';

/** Who an event is told to: a triage thread, the requester side, or an escalation channel. */
export type NoticeAudience = Audience | 'escalation';

/**
 * One event as a person is told about it: a thread line on Slack or Teams, an email, a
 * timeline entry on the web. Plain text; each renderer escapes it for its own markup.
 */
export interface Notice {
  type: string;
  label: string;
  internal: boolean;
  actor: string;
  actorIsRequester: boolean;
  /** What happened, without the actor's words: "IT-4 is now Awaiting your reply (by Marta)". */
  headline: string;
  /** The words a person wrote (comments and their edits), verbatim; null for everything else. */
  body: string | null;
  /** What the reader can do next, in sentences. */
  lines: string[];
  via: string;
  at: When;
  /** Switchboard wrote it (not a person's own words): mail gets Auto-Submitted. */
  automatic: boolean;
}

const WRITTEN = new Set(['comment', 'comment_edited']);

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The SLA sentence of a scanner event, from its data (never the raw ISO in its body). */
function slaSentence(event: EventView, zone: string): string | null {
  const clock = str(event.data.clock);
  const dueAt = str(event.data.dueAt);
  if (!clock || !dueAt) return null;
  const due = absolute(dueAt, zone).text;
  const label = clockLabel(clock);
  switch (event.type) {
    case 'sla_warning': {
      const share = typeof event.data.usedShare === 'number' ? ` at ${Math.round(event.data.usedShare * 100)} % of its budget,` : '';
      return `${label} SLA${share} due ${due}`;
    }
    case 'sla_breached':
      return `${label} SLA breached (was due ${due})`;
    case 'sla_met':
      return `${label} SLA met (was due ${due})`;
    default:
      return null;
  }
}

/** The event in a few words, without the ticket key (the timeline is on the ticket's own page). */
export function eventSentence(event: EventView, ticket: Pick<TicketView, 'assignee' | 'title'>, audience: Audience, zone: string): string {
  const data = event.data;
  switch (event.type) {
    case 'created':
      return 'opened this request';
    case 'comment':
      return 'wrote';
    case 'comment_edited':
      return 'edited a message';
    case 'comment_removed':
      return 'removed a message';
    case 'status_changed': {
      const to = str(data.to);
      const from = str(data.from);
      if (!to) return 'changed the status';
      return `changed the status to ${statusLabel(to, audience)}${from && audience === 'desk' ? ` (was ${statusLabel(from, audience)})` : ''}${str(data.reason) ? `: ${String(data.reason)}` : ''}`;
    }
    case 'assigned': {
      const to = str(data.to);
      if (!to) return 'unassigned it';
      const name = ticket.assignee && ticket.assignee.email === to ? personLabel(ticket.assignee) : to;
      return `assigned it to ${name}`;
    }
    case 'priority_changed':
      return `changed the priority from ${priorityLabel(String(data.from ?? ''))} to ${priorityLabel(String(data.to ?? ''))}`;
    default:
      return slaSentence(event, zone) ?? (event.body || eventLabel(event.type));
  }
}

/** An event told to one audience in the reader's zone. */
export function noticeOf(event: EventView, ticket: Pick<TicketView, 'key' | 'title' | 'assignee'>, audience: NoticeAudience, zone: string): Notice {
  const side: Audience = audience === 'requester' ? 'requester' : 'desk';
  const internal = event.visibility === 'internal';
  const actor = speakerName(event.actor);
  const by = event.actor ? ` (by ${actor})` : '';
  const { key } = ticket;
  const data = event.data;
  const lines: string[] = [];
  let headline: string;
  switch (event.type) {
    case 'created':
      headline = side === 'requester' ? `We received your request and opened ticket ${key}: ${ticket.title}.` : `${key} filed by ${actor}: ${ticket.title}`;
      break;
    case 'comment':
      if (internal) headline = `Internal note from ${actor}`;
      else if (side === 'requester') headline = `${actor} wrote`;
      else if (event.actor?.role === 'requester') headline = `${actor} (requester)`;
      else headline = `${actor} replied to the requester`;
      break;
    case 'comment_edited':
      headline = `${actor} edited a message${internal ? ' (internal note)' : ''}`;
      break;
    case 'comment_removed':
      headline = `${actor} removed a message from ${key}`;
      break;
    case 'status_changed': {
      const to = str(data.to);
      headline = `${key} is now ${to ? statusLabel(to, side) : 'changed'}${str(data.reason) ? ` (${String(data.reason)})` : ''}${by}`;
      if (side === 'requester' && to === 'waiting_on_requester') lines.push('We need something from you: reply to continue.');
      if (side === 'requester' && to === 'resolved') lines.push('If this is not solved for you, reply and the request reopens.');
      break;
    }
    case 'assigned': {
      const to = str(data.to);
      const name = to && ticket.assignee?.email === to ? speakerName(ticket.assignee) : to;
      // A claim names the agent once.
      const byOther = event.actor && event.actor.email !== to ? by : '';
      if (!name) headline = `${key} is waiting for someone to pick it up${by}`;
      else headline = side === 'requester' ? `${name} is now handling ${key}` : `${key} assigned to ${name}${byOther}`;
      break;
    }
    case 'priority_changed':
      headline = `The priority of ${key} changed from ${priorityLabel(String(data.from ?? ''))} to ${priorityLabel(String(data.to ?? ''))}${by}`;
      break;
    case 'access_link_requested':
      headline = `Here is a fresh link to your ticket ${key}: ${ticket.title}.`;
      lines.push('Links expire; ask for a new one from the ticket page whenever you need it.');
      break;
    default:
      headline = `${key} · ${slaSentence(event, zone) ?? (event.body || eventLabel(event.type))}${by}`;
  }
  if (audience === 'escalation') headline = `Escalation: ${headline}`;
  return {
    type: event.type,
    label: eventLabel(event.type),
    internal,
    actor,
    actorIsRequester: event.actor?.role === 'requester',
    headline,
    body: WRITTEN.has(event.type) ? event.body : null,
    lines,
    via: channelLabel(event.channel),
    at: absolute(event.createdAt, zone),
    // Only a person's own reply is not Auto-Submitted; an edit notice is Switchboard telling of one.
    automatic: event.type !== 'comment' || event.actor === null,
  };
}

/** Files an email brought in (src/channels/email/attachments.ts), as kept in the event's data. */
const attachmentsSchema = z.array(z.object({ filename: z.string(), size: z.number(), path: z.string() })).catch([]);
const refusedSchema = z.array(z.object({ filename: z.string(), reason: z.string() })).catch([]);

export interface TimelineEntry {
  id: number;
  type: string;
  internal: boolean;
  /** "You" for the requester's own entries on the requester's page. */
  who: string;
  mine: boolean;
  actorIsRequester: boolean;
  what: string;
  /** The text to show under the line (comments and the request itself). */
  body: string | null;
  via: { channel: string; label: string };
  at: { iso: string; text: string };
  attachments: Array<{ filename: string; size: number; path: string; kb: number }>;
  refused: Array<{ filename: string; reason: string }>;
}

/** One timeline, for the requester's page and the agent workspace alike. */
export function timelineOf(events: EventView[], ticket: Pick<TicketView, 'assignee' | 'title'>, audience: Audience, zone: string): TimelineEntry[] {
  return events
    .filter((event) => audience === 'desk' || event.visibility === 'public')
    .map((event) => {
      const own = audience === 'requester' && event.actor?.role === 'requester';
      return {
        id: event.id,
        type: event.type,
        internal: event.visibility === 'internal',
        who: own ? 'You' : speakerName(event.actor),
        mine: own,
        actorIsRequester: event.actor?.role === 'requester',
        what: eventSentence(event, ticket, audience, zone),
        body: event.body && (event.type === 'comment' || event.type === 'created') ? event.body : null,
        via: { channel: event.channel, label: channelLabel(event.channel) },
        at: { iso: event.createdAt, text: shortTime(event.createdAt, zone) },
        attachments: attachmentsSchema.parse(event.data.attachments ?? []).map((file) => ({ ...file, kb: Math.max(1, Math.round(file.size / 1024)) })),
        refused: refusedSchema.parse(event.data.refusedAttachments ?? []),
      };
    });
}
