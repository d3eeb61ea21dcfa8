import { describe, expect, it } from 'vitest';
import { planDeliveries, type MirrorContext } from '../../src/core/mirror.ts';
import type { EventView } from '../../src/core/view.ts';
import type { Anchor, Person, Ticket, TicketEvent } from '../../src/db/schema.ts';
import { renderNotice } from '../../src/channels/email/render.ts';
import { threadLine } from '../../src/channels/slack/blocks.ts';
import { eventLine } from '../../src/channels/teams/lines.ts';
import { webhookDisplay } from '../../src/channels/webhook/outbound.ts';
import { noticeOf, type NoticeAudience } from '../../src/present/notices.ts';
import { CATALOG, anchorRow, deliveryJob, eventView, personRow, queueRow, row, ticketView } from './fixtures.ts';

// The mirroring plan as one table (who gets what, on which channel, for each event type and
// visibility), then every planned delivery drawn by its channel's renderer: what each reader
// is told comes from the one notice model, and an internal note reaches no requester side.

const requester = personRow(1, { email: 'ada@example.test', name: 'Ada Lovelace', slackUserId: 'U0ADA', preferredChannel: 'slack' });
const watcher = personRow(3, { email: 'wes@example.test', name: 'Wes Watcher', teamsConversation: { conversation: { id: 'a:wes' } } });
const ticket = row<Ticket>({ id: 7, key: 'IT-7', queueKey: 'IT', requesterId: 1 });

const triageSlack = anchorRow(10, { channel: 'slack', side: 'triage' });
const triageTeams = anchorRow(11, { channel: 'teams', side: 'triage' });
const requesterSlack = anchorRow(12, { channel: 'slack', side: 'requester', personId: 1 });
const requesterEmail = anchorRow(13, { channel: 'email', side: 'requester', personId: 1, lastUsedAt: new Date('2026-12-01T09:30:00Z') });
const watcherTeams = anchorRow(14, { channel: 'teams', side: 'watcher', personId: 3 });

const ALL = new Set(['slack', 'teams', 'email', 'webhook']);

interface Case {
  name: string;
  event: { type: string; visibility: 'public' | 'internal'; actorId?: number | null; originAnchorId?: number | null };
  anchors: Anchor[];
  watchers?: Person[];
  enabled?: Set<string>;
  webhooks?: MirrorContext['webhooks'];
  /** channel:audience:kind of each planned delivery, in plan order. */
  expected: string[];
}

const CASES: Case[] = [
  {
    name: 'a request filed in a Slack DM: both triage channels get the card, the DM gets its card (no echo), the webhook the event',
    event: { type: 'created', visibility: 'public', actorId: 1, originAnchorId: 12 },
    anchors: [requesterSlack],
    webhooks: [{ id: 1, events: [], includeInternal: false }],
    expected: ['slack:triage:message', 'teams:triage:message', 'slack:requester:card', 'webhook:integration:message'],
  },
  {
    name: 'a request filed by email is acknowledged in its own thread',
    event: { type: 'created', visibility: 'public', actorId: 1, originAnchorId: 13 },
    anchors: [requesterEmail],
    expected: ['slack:triage:message', 'teams:triage:message', 'email:requester:message'],
  },
  {
    name: 'an internal note from the Slack thread: the card there is refreshed, Teams gets the line, no requester, no public webhook',
    event: { type: 'comment', visibility: 'internal', actorId: 2, originAnchorId: 10 },
    anchors: [triageSlack, triageTeams, requesterSlack],
    webhooks: [{ id: 1, events: [], includeInternal: false }, { id: 2, events: ['comment'], includeInternal: true }],
    expected: ['slack:triage:card', 'teams:triage:message', 'webhook:integration:message'],
  },
  {
    name: 'a public reply by an agent reaches the requester where they last wrote (email, newer than the DM) and the watcher on Teams',
    event: { type: 'comment', visibility: 'public', actorId: 2, originAnchorId: null },
    anchors: [triageSlack, triageTeams, requesterSlack, requesterEmail, watcherTeams],
    watchers: [watcher],
    expected: ['slack:triage:message', 'teams:triage:message', 'email:requester:message', 'teams:watcher:message'],
  },
  {
    name: "the requester's own email reply is not mailed back to them",
    event: { type: 'comment', visibility: 'public', actorId: 1, originAnchorId: 13 },
    anchors: [triageSlack, requesterEmail],
    expected: ['slack:triage:message', 'teams:triage:message'],
  },
  {
    name: "the requester's own Slack reply refreshes their card only",
    event: { type: 'comment', visibility: 'public', actorId: 1, originAnchorId: 12 },
    anchors: [triageSlack, requesterSlack],
    expected: ['slack:triage:message', 'teams:triage:message', 'slack:requester:card'],
  },
  {
    name: 'a status change goes to every side, by preference when the requester has no anchor yet',
    event: { type: 'status_changed', visibility: 'public', actorId: 2 },
    anchors: [triageSlack],
    expected: ['slack:triage:message', 'teams:triage:message', 'slack:requester:message'],
  },
  {
    name: 'an SLA warning is internal: the desk only',
    event: { type: 'sla_warning', visibility: 'internal', actorId: null },
    anchors: [triageSlack, triageTeams, requesterSlack],
    expected: ['slack:triage:message', 'teams:triage:message'],
  },
  {
    name: 'an SLA breach is escalated to the queue escalation targets as well',
    event: { type: 'sla_breached', visibility: 'internal', actorId: null },
    anchors: [triageSlack, triageTeams],
    expected: ['slack:triage:message', 'teams:triage:message', 'slack:escalation:message', 'email:escalation:message'],
  },
  {
    name: 'with Slack and Teams off, email carries everything public',
    event: { type: 'assigned', visibility: 'public', actorId: 2 },
    anchors: [requesterSlack],
    enabled: new Set(['email', 'webhook']),
    expected: ['email:requester:message'],
  },
  {
    name: 'a fresh link goes only to the requester mailbox',
    event: { type: 'access_link_requested', visibility: 'public', actorId: null },
    anchors: [triageSlack, requesterSlack],
    expected: ['email:requester:message'],
  },
];

const EVENT_DATA: Record<string, Partial<EventView>> = {
  created: { body: 'Needs the design tools too.', actor: { email: 'ada@example.test', name: 'Ada Lovelace', role: 'requester' } },
  comment: { body: 'Your laptop ships today.' },
  status_changed: { data: { from: 'open', to: 'waiting_on_requester' }, body: 'Status open → waiting_on_requester' },
  sla_warning: { actor: null, channel: 'system', body: 'x', data: { clock: 'first_response', dueAt: '2026-12-01T13:00:00.000Z', usedShare: 0.75 } },
  sla_breached: { actor: null, channel: 'system', body: 'x', data: { clock: 'resolution', dueAt: '2026-12-01T08:00:00.000Z' } },
  assigned: { data: { from: null, to: 'bob@example.test' }, body: '' },
  access_link_requested: { actor: null, body: '' },
};

/** Draw one planned delivery with its channel's renderer, as the outbound adapter would. */
function draw(channel: string, audience: string, view: EventView): string {
  const tv = ticketView({ status: 'waiting_on_requester' });
  const side: NoticeAudience = audience === 'triage' ? 'desk' : audience === 'escalation' ? 'escalation' : 'requester';
  switch (channel) {
    case 'slack':
      return threadLine(noticeOf(view, tv, side, 'Europe/Madrid'));
    case 'teams':
      return eventLine(view, tv, audience, 'Europe/Madrid');
    case 'email':
      return renderNotice(deliveryJob(view, tv, audience, requester), 'http://localhost/t/IT-7', CATALOG).text;
    default: {
      const display = webhookDisplay({ ticket: tv, eventView: view }, CATALOG);
      return `${display.event.headline} ${display.status}`;
    }
  }
}

describe('the mirroring plan, and each planned delivery on its renderer', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const event = row<TicketEvent>({ id: 50, ticketId: 7, type: c.event.type, visibility: c.event.visibility, actorId: c.event.actorId ?? null, originAnchorId: c.event.originAnchorId ?? null });
      const planned = planDeliveries({
        ticket,
        queue: queueRow(),
        event,
        requester,
        watchers: c.watchers ?? [],
        anchors: c.anchors,
        enabled: c.enabled ?? ALL,
        webhooks: c.webhooks ?? [],
      });
      expect(planned.map((d) => `${d.channel}:${d.audience}:${d.kind}`)).toEqual(c.expected);

      const view = eventView({ id: 50, type: c.event.type, visibility: c.event.visibility, ...EVENT_DATA[c.event.type] });
      for (const delivery of planned) {
        const text = draw(delivery.channel, delivery.audience, view);
        const where = `${delivery.channel}:${delivery.audience}`;
        // The words come from the notice model, whatever the channel.
        const side: NoticeAudience = delivery.audience === 'triage' || delivery.audience === 'integration' ? 'desk' : delivery.audience === 'escalation' ? 'escalation' : 'requester';
        const expected = noticeOf(view, ticketView({ status: 'waiting_on_requester' }), side, 'Europe/Madrid').headline;
        expect(text.replace(/<\/?b>/g, '').replace(/&amp;/g, '&'), where).toContain(delivery.channel === 'slack' ? expected.replace(/&/g, '&amp;') : expected);
        expect(text, where).not.toMatch(/waiting_on_requester|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
        if (delivery.audience === 'requester' || delivery.audience === 'watcher') expect(text, where).not.toContain('Internal note');
      }
      // An internal event never plans a requester-side delivery.
      if (c.event.visibility === 'internal') expect(planned.filter((d) => d.audience === 'requester' || d.audience === 'watcher')).toEqual([]);
    });
  }
});
