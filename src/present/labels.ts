/**
 * Every word Switchboard itself puts in front of a person, in one place. Two audiences:
 * the desk (agents, leads, admins in a triage thread or the workspace) and the requester
 * side (the requester and watchers). A channel never writes its own label for a status,
 * an event or a channel; it asks here.
 */
export type Audience = 'desk' | 'requester';

/**
 * Status labels per audience. A Record<string, string> rather than Record<Status, …> so a
 * status added to core (e.g. awaiting_approval) reads well before every table knows it.
 */
const STATUS_LABELS: Record<Audience, Record<string, string>> = {
  desk: {
    new: 'New',
    awaiting_approval: 'Awaiting approval',
    open: 'Open',
    in_progress: 'In progress',
    waiting_on_requester: 'Waiting on requester',
    resolved: 'Resolved',
    closed: 'Closed',
  },
  requester: {
    new: 'New',
    awaiting_approval: 'Awaiting approval',
    open: 'Open',
    in_progress: 'In progress',
    waiting_on_requester: 'Awaiting your reply',
    resolved: 'Resolved',
    closed: 'Closed',
  },
};

/** "waiting_on_requester" → "Waiting on requester": the fallback for a value no table knows. */
export function humanize(value: string): string {
  const words = value.replace(/[_-]+/g, ' ').trim();
  return words ? `${words.charAt(0).toUpperCase()}${words.slice(1)}` : '';
}

export function statusLabel(status: string, audience: Audience): string {
  return STATUS_LABELS[audience][status] ?? humanize(status);
}

/** Priorities are shown by their code (P1 highest … P4): the catalog's SLA targets use the same names. */
export function priorityLabel(priority: string): string {
  return priority;
}

const CHANNEL_LABELS: Record<string, string> = { slack: 'Slack', teams: 'Teams', email: 'email', web: 'web', api: 'API', system: 'Switchboard' };

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

/** What happened, as a short label (timeline filters, webhook payloads, notice subjects). */
const EVENT_LABELS: Record<string, string> = {
  created: 'Request filed',
  comment: 'Reply',
  comment_edited: 'Message edited',
  comment_removed: 'Message removed',
  status_changed: 'Status changed',
  assigned: 'Assignee changed',
  priority_changed: 'Priority changed',
  sla_warning: 'SLA warning',
  sla_breached: 'SLA breached',
  sla_met: 'SLA met',
  sla_paused: 'SLA paused',
  sla_resumed: 'SLA resumed',
  escalated: 'Escalated',
  access_link_requested: 'Fresh link requested',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? humanize(type);
}

const CLOCK_LABELS: Record<string, string> = { first_response: 'First response', firstResponse: 'First response', resolution: 'Resolution' };

export function clockLabel(clock: string): string {
  return CLOCK_LABELS[clock] ?? humanize(clock);
}

const CLOCK_STATES: Record<string, string> = { running: 'on the clock', paused: 'paused', met: 'met', breached: 'breached' };

/** An SLA clock's state in words ("on the clock", not `running`). */
export function clockStateLabel(state: string): string {
  return CLOCK_STATES[state] ?? humanize(state);
}

export interface PersonRef {
  email: string;
  name: string | null;
}

/** "Ada Lovelace (ada@example.com)", or the email alone when there is no name. */
export function personLabel(person: PersonRef | null, nobody = 'Unassigned'): string {
  if (!person) return nobody;
  return person.name ? `${person.name} (${person.email})` : person.email;
}

/** A person's name as a speaker in a timeline or a thread line. */
export function speakerName(person: PersonRef | null): string {
  return person ? (person.name ?? person.email) : 'Switchboard';
}
