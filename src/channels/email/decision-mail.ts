import { and, eq } from 'drizzle-orm';
import { approvalUrl, ratingUrl } from '../../core/decision-links.ts';
import type { TicketLinks } from '../../core/links.ts';
import type { Db } from '../../db/client.ts';
import { approvalSteps } from '../../db/schema.ts';
import type { DeliveryJob } from '../../outbox/adapter.ts';
import { escapeHtml } from './render.ts';

/** The audiences an event addresses to one person directly (src/core/mirror.ts, `notify`). */
export const DIRECT_AUDIENCES = new Set(['approver', 'lead', 'survey']);

const RATING_WORDS = ['Very poor', 'Poor', 'OK', 'Good', 'Excellent'];

export interface DecisionMail {
  subject: string;
  text: string;
  html: string;
}

function html(paragraphs: string[], links: Array<{ url: string; label: string }>): string {
  const body = paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`).join('');
  const buttons = links.map((l) => `<a href="${escapeHtml(l.url)}" style="display:inline-block;margin:0 .4em .4em 0;padding:.4em .8em;border:1px solid #888;border-radius:4px;text-decoration:none">${escapeHtml(l.label)}</a>`).join('');
  return `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.4">${body}<p>${buttons}</p></body></html>`;
}

/**
 * The mail for a direct delivery: an approver's request (with the /approve/:token link, whose
 * page asks before anything is decided), the leads' notice of an overdue approval, or the
 * requester's "How did we do?" with one /rate/:token link per rating. Null: nothing to send.
 */
export async function decisionMail(job: DeliveryJob, db: Db, links: TicketLinks): Promise<DecisionMail | null> {
  const { ticket, eventView: event, delivery } = job;
  const data = event.data as { step?: number; of?: number; reason?: string | null; reminder?: number };
  const who = ticket.requester.name ? `${ticket.requester.name} (${ticket.requester.email})` : ticket.requester.email;
  const fields = Object.entries(ticket.fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)
    .map(([k, v]) => `${k}: ${v === true ? 'yes' : String(v)}`);
  if (delivery.audience === 'approver' && (event.type === 'approval_requested' || event.type === 'approval_reminder')) {
    if (delivery.kind !== 'message' || !delivery.personId || typeof data.step !== 'number') return null;
    const [step] = await db.select({ id: approvalSteps.id }).from(approvalSteps).where(and(eq(approvalSteps.ticketId, job.ticketRow.id), eq(approvalSteps.step, data.step)));
    if (!step) return null;
    const url = approvalUrl(links, step.id, delivery.personId);
    const reminder = event.type === 'approval_reminder' ? 'Reminder: ' : '';
    const paragraphs = [
      `${reminder}${who} asks for approval of ${ticket.key} "${ticket.title}" (step ${data.step} of ${data.of ?? data.step}).`,
      ...(data.reason ? [`It comes to you because ${data.reason}.`] : []),
      ...(fields.length ? [fields.join('\n')] : []),
      ...(ticket.description ? [ticket.description] : []),
      'Open the request to approve or reject it (nothing is decided until you press a button there).',
    ];
    return { subject: `${reminder}Approval needed: [${ticket.key}] ${ticket.title}`, text: `${paragraphs.join('\n\n')}\n\nReview and decide: ${url}\n`, html: html(paragraphs, [{ url, label: 'Review and decide' }]) };
  }
  if (delivery.audience === 'lead') {
    const url = links.deskUrl(ticket.key);
    const paragraphs = [event.body, `${ticket.key} "${ticket.title}" from ${who}.`];
    return { subject: `Approval overdue: [${ticket.key}] ${ticket.title}`, text: `${paragraphs.join('\n\n')}\n\nOpen the ticket: ${url}\n`, html: html(paragraphs, [{ url, label: 'Open the ticket' }]) };
  }
  if (delivery.audience === 'survey' && event.type === 'satisfaction_requested') {
    const choices = RATING_WORDS.map((word, i) => ({ url: ratingUrl(links, job.ticketRow.id, i + 1), label: `${i + 1} · ${word}` }));
    const paragraphs = [`${ticket.key} "${ticket.title}" is resolved. How did we do?`, 'Pick a rating (1 = very poor, 5 = excellent); you can add a comment on the next page.'];
    return {
      subject: `How did we do? [${ticket.key}] ${ticket.title}`,
      text: `${paragraphs.join('\n\n')}\n\n${choices.map((c) => `${c.label}: ${c.url}`).join('\n')}\n`,
      html: html(paragraphs, choices),
    };
  }
  return null;
}
