import type { KnownBlock } from '@slack/types';
import { and, eq, inArray } from 'drizzle-orm';
import type { TicketLinks } from '../../core/links.ts';
import type { Db } from '../../db/client.ts';
import { deliveries, ticketEvents } from '../../db/schema.ts';
import { PermanentError, type DeliveryJob, type SendResult } from '../../outbox/adapter.ts';
import { mrkdwn } from './blocks.ts';

/**
 * The cards Slack sends one person directly (src/core/mirror.ts `notify`): an approver's
 * Approve / Reject card, the leads' overdue notice, the requester's "How did we do?" buttons.
 * Each is a DM message whose id (`channel|ts`) the outbox records, so the decision or rating
 * later edits every copy in place. Kept apart from the ticket cards so it can move onto the
 * shared presentation model.
 */
export const DIRECT_AUDIENCES = new Set(['approver', 'lead', 'survey']);
export const APPROVE_ACTION = 'approval_approve';
export const REJECT_ACTION = 'approval_reject';
export const REJECT_MODAL = 'approval_reject_modal';
export const RATE_ACTION_PREFIX = 'rate_';

const RATING_WORDS = ['Very poor', 'Poor', 'OK', 'Good', 'Excellent'];

interface Transport {
  post(channel: string, message: { text: string; blocks?: KnownBlock[] }): Promise<string>;
  update(channel: string, ts: string, message: { text: string; blocks?: KnownBlock[] }): Promise<void>;
  openDm(userId: string): Promise<string>;
}

/** The value of a card button: which ticket and step. */
export function actionValue(key: string, step: number): string {
  return JSON.stringify({ k: key, s: step });
}

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 2_900) } });

function requestText(job: DeliveryJob, link: string): string {
  const { ticket, eventView } = job;
  const data = eventView.data as { step?: number; of?: number; reason?: string | null };
  const who = mrkdwn(ticket.requester.name ?? ticket.requester.email);
  const fields = Object.entries(ticket.fields)
    .filter(([, v]) => v !== undefined && v !== null && v !== '' && v !== false)
    .map(([k, v]) => `*${mrkdwn(k.replace(/_/g, ' '))}:* ${mrkdwn(String(v))}`)
    .join('\n');
  const reminder = eventView.type === 'approval_reminder' ? '_Reminder_ · ' : '';
  return [
    `${reminder}*Approval needed* · <${mrkdwn(link)}|${mrkdwn(ticket.key)}> ${mrkdwn(ticket.title)}`,
    `${who} asks for this. Step ${data.step ?? '?'} of ${data.of ?? '?'}${data.reason ? ` (it comes to you because ${mrkdwn(data.reason)})` : ''}.`,
    fields,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The approver's card for a step: Approve / Reject while pending, the decision once made. */
export function approvalBlocks(job: DeliveryJob, link: string, step: number): KnownBlock[] {
  const view = job.ticket.approvals.find((s) => s.step === step);
  const blocks: KnownBlock[] = [section(requestText(job, link))];
  if (view && view.state !== 'pending') {
    const by = mrkdwn(view.decidedBy?.name ?? view.decidedBy?.email ?? 'someone');
    blocks.push(section(`${view.state === 'approved' ? ':white_check_mark: *Approved*' : ':x: *Rejected*'} by ${by}${view.comment ? `: ${mrkdwn(view.comment)}` : ''}`));
  } else if (job.ticket.status !== 'awaiting_approval') {
    blocks.push(section(`_No longer awaiting approval (${mrkdwn(job.ticket.status.replace(/_/g, ' '))})._`));
  } else {
    blocks.push({
      type: 'actions',
      block_id: 'approval',
      elements: [
        { type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: actionValue(job.ticket.key, step) },
        { type: 'button', action_id: REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Reject…' }, value: actionValue(job.ticket.key, step) },
      ],
    });
  }
  return blocks;
}

/** The requester's rating buttons; after a rating they say so and stay (changeable until closed). */
export function surveyBlocks(job: DeliveryJob): KnownBlock[] {
  const { ticket } = job;
  const rated = ticket.satisfaction;
  const blocks: KnownBlock[] = [section(`*How did we do?* ${mrkdwn(ticket.key)} ${mrkdwn(ticket.title)} is resolved.${rated ? `\nYou rated it *${rated.rating}/5* (${RATING_WORDS[rated.rating - 1]}). Thank you!` : ''}`)];
  if (ticket.status !== 'closed') {
    blocks.push({
      type: 'actions',
      block_id: 'rating',
      elements: RATING_WORDS.map((word, i) => ({ type: 'button' as const, action_id: `${RATE_ACTION_PREFIX}${i + 1}`, text: { type: 'plain_text' as const, text: `${i + 1} · ${word}` }, value: ticket.key, ...(rated?.rating === i + 1 ? { style: 'primary' as const } : {}) })),
    });
  }
  return blocks;
}

export function rejectModal(key: string, step: number) {
  return {
    type: 'modal' as const,
    callback_id: REJECT_MODAL,
    private_metadata: actionValue(key, step),
    title: { type: 'plain_text' as const, text: `Reject ${key}`.slice(0, 24) },
    submit: { type: 'plain_text' as const, text: 'Reject' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'input' as const,
        block_id: 'reason',
        label: { type: 'plain_text' as const, text: 'Why? The requester reads this.' },
        element: { type: 'plain_text_input' as const, action_id: 'reason', multiline: true, max_length: 2000 },
      },
    ],
  };
}

/** Sends or refreshes a direct card. */
export class SlackDirect {
  constructor(
    private readonly transport: Transport,
    private readonly links: TicketLinks,
  ) {}

  async send(job: DeliveryJob, db: Db): Promise<SendResult> {
    const { delivery, eventView } = job;
    const person = job.person;
    if (!person?.slackUserId) throw new PermanentError('a direct Slack delivery without a Slack user');
    const link = this.links.deskUrl(job.ticket.key);
    const step = Number((eventView.data as { step?: unknown }).step);
    if (delivery.audience === 'approver') {
      const blocks = approvalBlocks(job, link, step);
      const text = mrkdwn(`Approval needed: ${job.ticket.key} ${job.ticket.title}`);
      if (delivery.kind === 'card') {
        for (const ref of await this.earlier(db, job, ['approval_requested', 'approval_reminder'], step)) await this.transport.update(ref.channel, ref.ts, { text, blocks });
        return { platformMessageId: null };
      }
      return { platformMessageId: await this.postDm(person.slackDmChannel, person.slackUserId, { text, blocks }) };
    }
    if (delivery.audience === 'survey') {
      const blocks = surveyBlocks(job);
      const text = mrkdwn(`How did we do? ${job.ticket.key} ${job.ticket.title}`);
      if (delivery.kind === 'card') {
        for (const ref of await this.earlier(db, job, ['satisfaction_requested'], null)) await this.transport.update(ref.channel, ref.ts, { text, blocks });
        return { platformMessageId: null };
      }
      return { platformMessageId: await this.postDm(person.slackDmChannel, person.slackUserId, { text, blocks }) };
    }
    const text = `${mrkdwn(eventView.body)} · <${mrkdwn(link)}|${mrkdwn(job.ticket.key)}> ${mrkdwn(job.ticket.title)}`;
    return { platformMessageId: await this.postDm(person.slackDmChannel, person.slackUserId, { text }) };
  }

  private async postDm(dm: string | null, userId: string, message: { text: string; blocks?: KnownBlock[] }): Promise<string> {
    const channel = dm ?? (await this.transport.openDm(userId));
    return `${channel}|${await this.transport.post(channel, message)}`;
  }

  /** The messages sent to this person for this ticket (and step) that a decision or rating edits. */
  private async earlier(db: Db, job: DeliveryJob, types: string[], step: number | null): Promise<Array<{ channel: string; ts: string }>> {
    const rows = await db
      .select({ ref: deliveries.platformMessageId, data: ticketEvents.data })
      .from(deliveries)
      .innerJoin(ticketEvents, eq(ticketEvents.id, deliveries.eventId))
      .where(and(eq(deliveries.ticketId, job.ticketRow.id), eq(deliveries.personId, job.person!.id), eq(deliveries.channel, 'slack'), eq(deliveries.phase, 'sent'), inArray(ticketEvents.type, types)));
    return rows
      .filter((r) => step === null || Number((r.data as { step?: unknown }).step) === step)
      .flatMap((r) => {
        const [channel, ts] = (r.ref ?? '').split('|');
        return channel && ts ? [{ channel, ts }] : [];
      });
  }
}
