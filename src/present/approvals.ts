import type { TicketView } from '../core/view.ts';

/** The approval steps in one line for cards: "Approvals: 1 approved by Boss · 2 waiting for ctl@x · 3 later (a lead)"; null without steps. */
export function approvalsLine(ticket: Pick<TicketView, 'approvals'>): string | null {
  if (!ticket.approvals.length) return null;
  const who = (p: { email: string; name: string | null } | null) => (p ? (p.name ?? p.email) : 'a lead');
  const steps = ticket.approvals.map((s) =>
    s.state === 'pending' ? `${s.step} ${s.current ? 'waiting for' : 'later:'} ${who(s.approver)}` : `${s.step} ${s.state} by ${who(s.decidedBy)}${s.comment ? ` ("${s.comment}")` : ''}`,
  );
  return `Approvals: ${steps.join(' · ')}`;
}
