import { z } from 'zod';

export const STATUSES = ['new', 'open', 'in_progress', 'waiting_on_requester', 'resolved', 'closed', 'awaiting_approval'] as const;
export const statusSchema = z.enum(STATUSES);
export type Status = z.infer<typeof statusSchema>;

/**
 * new → open → in_progress → waiting_on_requester → resolved → closed.
 * Work can move back and forth before resolution; a resolved ticket can be reopened or
 * closed; closed is final. A ticket whose type has approvals starts in awaiting_approval and
 * leaves it through the decisions (src/core/approvals.ts: approved → open, rejected → closed);
 * the desk may only withdraw it (close).
 */
const NEXT: Record<Status, readonly Status[]> = {
  new: ['open', 'in_progress', 'waiting_on_requester', 'resolved'],
  open: ['in_progress', 'waiting_on_requester', 'resolved'],
  in_progress: ['open', 'waiting_on_requester', 'resolved'],
  waiting_on_requester: ['open', 'in_progress', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
  awaiting_approval: ['closed'],
};

export function allowedNext(status: Status): readonly Status[] {
  return NEXT[status];
}

export function canTransition(from: Status, to: Status): boolean {
  return NEXT[from].includes(to);
}

// Labels for people live in src/present/labels.ts, one table per audience.
