import { PRIORITIES } from '../core/catalog.ts';
import type { Role } from '../core/roles.ts';
import { allowedNext, type Status } from '../core/status.ts';
import type { TicketView } from '../core/view.ts';
import { priorityLabel, statusLabel } from './labels.ts';

/**
 * Who is looking. A card in a triage channel is read by every agent of the queue at once:
 * its reader is `{ role: 'agent' }` with no email. A page or a personal chat knows the person.
 */
export type Reader = { role: Role; email?: string | null | undefined } | { role: 'requester' | 'watcher'; email?: string | null | undefined };

export const isDeskReader = (reader: Reader): reader is { role: Role; email?: string | null } => reader.role === 'admin' || reader.role === 'lead' || reader.role === 'agent';

/** Desk actions: claim, assign, status, priority, reply (public, as the desk), note (internal). Requester actions: comment, resolve, reopen. */
export type ActionId = 'claim' | 'assign' | 'status' | 'priority' | 'reply' | 'note' | 'comment' | 'resolve' | 'reopen';

export interface ActionOption {
  value: string;
  label: string;
}

export interface ActionView {
  id: ActionId;
  label: string;
  options?: ActionOption[];
}

/**
 * The actions the reader's role allows on the ticket's state, decided once for every channel.
 * Claim: the reader is on the queue's desk, the ticket is not closed, and the reader is not
 * already its assignee (on a shared channel card the reader is "any agent", so Claim stays
 * while the ticket is open: another agent may take it over).
 */
export function ticketActions(ticket: { status: string; priority: string; assignee: TicketView['assignee'] }, reader: Reader, agents: readonly string[]): ActionView[] {
  const closed = ticket.status === 'closed';
  const actions: ActionView[] = [];
  if (isDeskReader(reader)) {
    const mine = !!reader.email && reader.email.toLowerCase() === ticket.assignee?.email.toLowerCase();
    if (!closed && !mine) actions.push({ id: 'claim', label: 'Claim' });
    const others = agents.filter((email) => email !== ticket.assignee?.email);
    if (!closed && others.length) actions.push({ id: 'assign', label: 'Assign', options: others.map((email) => ({ value: email, label: email })) });
    // Awaiting approval, the desk's only move is to withdraw it (closed); the approvals open it.
    const next = allowedNext(ticket.status as Status) ?? [];
    if (next.length) actions.push({ id: 'status', label: 'Status', options: next.map((s) => ({ value: s, label: statusLabel(s, 'desk') })) });
    if (!closed) {
      actions.push({ id: 'priority', label: 'Priority', options: PRIORITIES.filter((p) => p !== ticket.priority).map((p) => ({ value: p, label: priorityLabel(p) })) });
      actions.push({ id: 'reply', label: 'Reply to requester' });
      actions.push({ id: 'note', label: 'Add internal note' });
    }
    return actions;
  }
  if (closed) return actions;
  const done = ticket.status === 'resolved';
  actions.push({ id: 'comment', label: done ? 'Reply (this reopens the request)' : 'Reply' });
  if (reader.role === 'requester') actions.push(done ? { id: 'reopen', label: 'Reopen this request' } : { id: 'resolve', label: 'Mark as resolved' });
  return actions;
}
