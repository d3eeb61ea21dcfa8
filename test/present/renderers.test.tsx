import { describe, expect, it } from 'vitest';
import { STATUSES } from '../../src/core/status.ts';
import type { TicketView } from '../../src/core/view.ts';
import { renderNotice } from '../../src/channels/email/render.ts';
import { requesterCard as slackRequesterCard, threadLine, triageCard as slackTriageCard } from '../../src/channels/slack/blocks.ts';
import { requesterCard as teamsRequesterCard, triageCard as teamsTriageCard } from '../../src/channels/teams/cards.ts';
import { eventLine } from '../../src/channels/teams/lines.ts';
import { DeskTicketPage } from '../../src/channels/web/desk-ticket-views.tsx';
import { TicketPage } from '../../src/channels/web/views/ticket.tsx';
import { webhookDisplay } from '../../src/channels/webhook/outbound.ts';
import type { ActionId, Reader } from '../../src/present/actions.ts';
import { noticeOf, timelineOf } from '../../src/present/notices.ts';
import { participantScreen, ticketScreen, triageScreen } from '../../src/present/ticket.ts';
import { parseCatalog } from '../../src/core/catalog.ts';
import { CATALOG, CATALOG_YAML, FIELD_ORDER, NOW, ada, deliveryJob, eventView, personRow, textsOf, ticketView } from './fixtures.ts';

// The same ticket drawn by every renderer: one view model (src/present) decides the labels,
// the field order, the times and the actions; a renderer only draws them.

const DESK_LINK = 'http://localhost/desk/t/IT-7';
const PAGE_LINK = '/t/IT-7?e=1&s=x';

interface Rendered {
  text: string;
  actions: Set<ActionId>;
}

const slackIds: Record<string, ActionId> = { card_claim: 'claim', card_assign: 'assign', card_status: 'status', card_priority: 'priority', card_reply: 'reply' };

function slackActions(blocks: unknown): Set<ActionId> {
  const ids = JSON.stringify(blocks).match(/"action_id":"card_\w+"/g) ?? [];
  return new Set(ids.map((m) => slackIds[m.slice('"action_id":"'.length, -1)]!).filter(Boolean));
}

/** A Teams card's actions by the `sb` their submits carry (Show cards hold theirs inside). */
function teamsActions(card: Record<string, unknown>): Set<ActionId> {
  const sbs = [...JSON.stringify(card.actions ?? []).matchAll(/"sb":"(\w+)"/g)].map((m) => m[1]!);
  return new Set(sbs.filter((sb) => sb !== 'reply_insert') as ActionId[]);
}

function webDeskActions(html: string): Set<ActionId> {
  const found = new Set<ActionId>();
  if (/class="inline claim"/.test(html)) found.add('claim');
  if (/id="desk-assignee"/.test(html)) found.add('assign');
  if (/action="\/desk\/t\/IT-7\/status"/.test(html)) found.add('status');
  if (/action="\/desk\/t\/IT-7\/priority"/.test(html)) found.add('priority');
  if (/name="visibility" value="public"/.test(html)) found.add('reply');
  if (/name="visibility" value="internal"/.test(html)) found.add('note');
  return found;
}

function webRequesterActions(html: string): Set<ActionId> {
  const found = new Set<ActionId>();
  if (html.includes('/t/IT-7/reply?')) found.add('comment');
  if (html.includes('/t/IT-7/resolve?')) found.add('resolve');
  if (html.includes('/t/IT-7/reopen?')) found.add('reopen');
  return found;
}

/** What a browser shows: the text between the tags (attribute values such as CSS classes are not read). */
const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&');

const deskWeb = async (ticket: TicketView, reader: Reader): Promise<Rendered> => {
  const screen = ticketScreen({ ticket, catalog: CATALOG, reader, link: DESK_LINK, now: NOW });
  const html = String(
    await (
      <DeskTicketPage
        who="Cyd"
        me={reader.email ?? ''}
        screen={screen}
        timeline={[]}
        agents={[]}
        watchers={[]}
        macros={[]}
        tokens={{ reply: 'r', status: 's', assign: 'a', claim: 'c', priority: 'p', watcher: 'w' }}
      />
    ).toString(),
  );
  return { text: visible(html), actions: webDeskActions(html) };
};

const requesterWeb = async (ticket: TicketView, timeZone: string | null = null): Promise<Rendered> => {
  const screen = ticketScreen({ ticket, catalog: CATALOG, reader: { role: 'requester', email: ticket.requester.email }, readerTimeZone: timeZone, link: PAGE_LINK, now: NOW });
  const html = String(await (<TicketPage screen={screen} timeline={[]} action={(verb) => `/t/IT-7/${verb}?e=1&s=x`} tokens={{ reply: 'r', state: 's' }} />).toString());
  return { text: visible(html), actions: webRequesterActions(html) };
};

/** The triage side: what an agent of the queue sees, on each channel. */
const DESK_RENDERERS: Record<string, { supports: ActionId[]; render: (ticket: TicketView, reader: Reader) => Promise<Rendered> }> = {
  slack: {
    supports: ['claim', 'assign', 'status', 'priority', 'reply'],
    render: async (ticket) => {
      const blocks = slackTriageCard(triageScreen(ticket, CATALOG, DESK_LINK, NOW));
      return { text: textsOf(blocks).join('\n'), actions: slackActions(blocks) };
    },
  },
  teams: {
    supports: ['claim', 'assign', 'status', 'priority', 'reply'],
    render: async (ticket) => {
      const card = teamsTriageCard(triageScreen(ticket, CATALOG, DESK_LINK, NOW), CATALOG);
      return { text: textsOf(card.body).join('\n'), actions: teamsActions(card) };
    },
  },
  web: { supports: ['claim', 'assign', 'status', 'priority', 'reply', 'note'], render: deskWeb },
};

/** The requester side: their card in a DM or chat, and their page. */
const REQUESTER_RENDERERS: Record<string, { supports: ActionId[]; render: (ticket: TicketView, timeZone?: string | null) => Promise<Rendered> }> = {
  slack: {
    supports: ['comment'],
    render: async (ticket, timeZone = null) => {
      const blocks = slackRequesterCard(participantScreen(ticket, CATALOG, PAGE_LINK, NOW, { timeZone }));
      const text = textsOf(blocks).join('\n');
      return { text, actions: new Set(text.includes('Reply in this thread') ? (['comment'] as const) : []) };
    },
  },
  teams: {
    supports: ['comment'],
    render: async (ticket, timeZone = null) => {
      const card = teamsRequesterCard(participantScreen(ticket, CATALOG, PAGE_LINK, NOW, { timeZone }));
      return { text: textsOf(card.body).join('\n'), actions: teamsActions(card) };
    },
  },
  web: { supports: ['comment', 'resolve', 'reopen'], render: (ticket, timeZone) => requesterWeb(ticket, timeZone) },
};

const SHARED_AGENT: Reader = { role: 'agent' };
const cyd: Reader = { role: 'agent', email: 'cyd@example.test' };
const assigneeBob: Reader = { role: 'agent', email: 'bob@example.test' };
const lead: Reader = { role: 'lead', email: 'lea@example.test' };
const admin: Reader = { role: 'admin', email: 'root@example.test' };

const ALL_DESK: ActionId[] = ['claim', 'assign', 'status', 'priority', 'reply', 'note'];

/** State × role → the actions shown. One table; every renderer below must show exactly this (what it can draw of it). */
const ACTION_CASES: Array<{ status: string; assignee: 'bob' | null; reader: Reader; expected: ActionId[] }> = [
  { status: 'new', assignee: null, reader: SHARED_AGENT, expected: ALL_DESK },
  { status: 'open', assignee: 'bob', reader: SHARED_AGENT, expected: ALL_DESK },
  { status: 'in_progress', assignee: 'bob', reader: cyd, expected: ALL_DESK },
  { status: 'in_progress', assignee: 'bob', reader: assigneeBob, expected: ['assign', 'status', 'priority', 'reply', 'note'] },
  { status: 'waiting_on_requester', assignee: 'bob', reader: lead, expected: ALL_DESK },
  { status: 'resolved', assignee: 'bob', reader: SHARED_AGENT, expected: ALL_DESK },
  { status: 'resolved', assignee: 'bob', reader: assigneeBob, expected: ['assign', 'status', 'priority', 'reply', 'note'] },
  { status: 'closed', assignee: 'bob', reader: admin, expected: [] },
  { status: 'closed', assignee: null, reader: SHARED_AGENT, expected: [] },
  // A status core is about to add: no next states yet, everything else as for an open ticket.
  // The desk may withdraw a request awaiting approval (→ closed); only the approvers open it.
  { status: 'awaiting_approval', assignee: null, reader: SHARED_AGENT, expected: ['claim', 'assign', 'status', 'priority', 'reply', 'note'] },
  { status: 'new', assignee: null, reader: { role: 'requester' }, expected: ['comment', 'resolve'] },
  { status: 'waiting_on_requester', assignee: 'bob', reader: { role: 'requester' }, expected: ['comment', 'resolve'] },
  { status: 'resolved', assignee: 'bob', reader: { role: 'requester' }, expected: ['comment', 'reopen'] },
  { status: 'closed', assignee: 'bob', reader: { role: 'requester' }, expected: [] },
  { status: 'open', assignee: null, reader: { role: 'watcher' }, expected: ['comment'] },
];

const withState = (status: string, assignee: 'bob' | null) =>
  ticketView({ status: status as TicketView['status'], assignee: assignee ? { email: 'bob@example.test', name: 'Bob Agent' } : null });

const readerName = (r: Reader) => `${r.role}${r.email ? ` ${r.email}` : ' (shared card)'}`;

describe('the view model: state × role → the actions shown, on every renderer', () => {
  for (const c of ACTION_CASES) {
    it(`${c.status}, ${c.assignee ? 'assigned to Bob' : 'unassigned'}, read by ${readerName(c.reader)} → ${c.expected.join(', ') || 'nothing'}`, async () => {
      const ticket = withState(c.status, c.assignee);
      const model = ticketScreen({ ticket, catalog: CATALOG, reader: c.reader, link: DESK_LINK, now: NOW });
      expect(model.actions.map((a) => a.id)).toEqual(c.expected);
      const desk = c.reader.role === 'requester' || c.reader.role === 'watcher' ? null : c.reader;
      if (desk) {
        for (const [name, renderer] of Object.entries(DESK_RENDERERS)) {
          // A card in a triage channel has one reader, "any agent of the queue"; only a page knows who is looking.
          if (name !== 'web' && desk.email && desk.email !== 'cyd@example.test') continue;
          const rendered = await renderer.render(ticket, name === 'web' ? { ...desk, email: desk.email ?? 'cyd@example.test' } : desk);
          expect([...rendered.actions].sort(), name).toEqual(c.expected.filter((a) => renderer.supports.includes(a)).sort());
        }
      } else if (c.reader.role === 'requester') {
        for (const [name, renderer] of Object.entries(REQUESTER_RENDERERS)) {
          const rendered = await renderer.render(ticket);
          expect([...rendered.actions].sort(), name).toEqual(c.expected.filter((a) => renderer.supports.includes(a)).sort());
        }
      }
    });
  }
});

/** The positions of the labels in a rendered text, to compare with the catalog's order. */
const positions = (text: string, labels: string[]) => labels.map((label) => text.indexOf(label));
const ascending = (xs: number[]) => xs.every((x, i) => x >= 0 && (i === 0 || x > xs[i - 1]!));

describe('the same ticket carries the same facts, labels, field order and times on every channel', () => {
  const ticket = ticketView();
  const desk = ticketScreen({ ticket, catalog: CATALOG, reader: SHARED_AGENT, link: DESK_LINK, now: NOW });

  it('the model: desk labels, catalog field order, absolute times in the queue zone', () => {
    expect(desk.status.label).toBe('In progress');
    expect(desk.fields.map((f) => f.label)).toEqual(FIELD_ORDER);
    expect(desk.fields.find((f) => f.id === 'for_new_hire')?.value).toBe('Yes');
    expect(desk.zone).toBe('Europe/Madrid');
    expect(desk.sla?.firstResponse.due?.text).toBe('Tue 1 Dec, 14:00 Europe/Madrid');
    expect(desk.sla?.line).toBe('First response due Tue 1 Dec, 14:00 Europe/Madrid');
  });

  const deskTexts = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const [name, renderer] of Object.entries(DESK_RENDERERS)) out[name] = (await renderer.render(ticket, name === 'web' ? cyd : SHARED_AGENT)).text;
    const breach = eventView({ type: 'sla_breached', visibility: 'internal', actor: null, channel: 'system', body: 'x', data: { clock: 'resolution', dueAt: '2026-12-01T08:00:00.000Z' } });
    out.email = renderNotice(deliveryJob(breach, ticket, 'escalation'), DESK_LINK, CATALOG).text;
    const display = webhookDisplay({ ticket, eventView: breach }, CATALOG);
    out.webhook = [display.status, display.assignee, ...display.fields.map((f) => `${f.label}: ${f.value}`), display.sla ?? ''].join('\n');
    return out;
  };

  it('the desk side (Slack card, Teams card, workspace, escalation mail, webhook labels): status, assignee, fields in catalog order, the due time', async () => {
    for (const [name, text] of Object.entries(await deskTexts())) {
      expect(text, name).toContain('In progress');
      expect(text, name).toContain('Bob Agent (bob@example.test)');
      expect(ascending(positions(text, FIELD_ORDER)), `${name}: ${positions(text, FIELD_ORDER).join(',')}`).toBe(true);
      expect(text, name).toContain('Tue 1 Dec, 14:00 Europe/Madrid');
      expect(text, name).not.toContain('in_progress');
      if (name !== 'web') expect(text, name).not.toMatch(/ due in | ago\b/);
    }
  });

  it('the requester side, in the requester\'s own zone: cards, page and acknowledgement agree', async () => {
    const waiting = ticketView({ status: 'waiting_on_requester' });
    const zone = 'America/New_York';
    const requester = personRow(1, { email: ada.email, timeZone: zone });
    const texts: Record<string, string> = {};
    for (const [name, renderer] of Object.entries(REQUESTER_RENDERERS)) texts[name] = (await renderer.render(waiting, zone)).text;
    texts.email = renderNotice(deliveryJob(eventView({ type: 'created', actor: { ...ada, role: 'requester' }, body: '' }), waiting, 'requester', requester), PAGE_LINK, CATALOG).text;
    for (const [name, text] of Object.entries(texts)) {
      expect(text, name).toContain('Awaiting your reply');
      expect(text, name).not.toContain('waiting_on_requester');
      expect(text, name).not.toContain('Waiting on requester');
      // 14:00 in Madrid is 08:00 in New York.
      if (name !== 'teams' && name !== 'slack') expect(text, name).toContain('Tue 1 Dec, 08:00 America/New_York');
    }
    // The cards show the clock that matters to the requester (resolution) in their zone.
    expect(texts.slack).toMatch(/Tue 1 Dec, 08:00 America\/New_York/);
    expect(texts.teams).toContain('Wed 2 Dec, 04:00 America/New_York');
    for (const name of ['web', 'email']) expect(ascending(positions(texts[name]!, FIELD_ORDER)), name).toBe(true);
  });

  it('only the web page, drawn when it is read, says how long is left; its absolute time matches the cards', async () => {
    const page = (await requesterWeb(ticket)).text;
    expect(page).toMatch(/First response due in 3 h \(business hours Europe\/Madrid\)\./);
    expect(page).toContain('First response due Tue 1 Dec, 14:00 Europe/Madrid');
  });
});

describe('drift cases that each channel once decided for itself', () => {
  it('Claim: offered by one rule on Slack, Teams and the desk page — an agent of the queue, the ticket not closed, the reader not its assignee', async () => {
    const assigned = ticketView({ status: 'resolved' });
    for (const name of ['slack', 'teams'] as const) {
      expect((await DESK_RENDERERS[name]!.render(assigned, SHARED_AGENT)).actions.has('claim'), name).toBe(true);
      expect((await DESK_RENDERERS[name]!.render(ticketView({ status: 'closed' }), SHARED_AGENT)).actions.has('claim'), name).toBe(false);
    }
    expect((await deskWeb(assigned, cyd)).actions.has('claim')).toBe(true);
    expect((await deskWeb(assigned, assigneeBob)).actions.has('claim')).toBe(false);
  });

  it('a status change reads in words on every channel, never `new → waiting_on_requester`', () => {
    const ticket = ticketView({ status: 'waiting_on_requester' });
    const changed = eventView({ type: 'status_changed', body: 'Status new → waiting_on_requester', data: { from: 'new', to: 'waiting_on_requester' } });
    const desk = {
      slack: threadLine(noticeOf(changed, ticket, 'desk', 'Europe/Madrid')),
      teams: eventLine(changed, ticket, 'triage', 'Europe/Madrid'),
      web: timelineOf([changed], ticket, 'desk', 'Europe/Madrid')[0]!.what,
    };
    const requester = {
      slack: threadLine(noticeOf(changed, ticket, 'requester', 'Europe/Madrid')),
      teams: eventLine(changed, ticket, 'requester', 'Europe/Madrid'),
      email: renderNotice(deliveryJob(changed, ticket, 'requester'), PAGE_LINK, CATALOG).text,
      web: timelineOf([changed], ticket, 'requester', 'Europe/Madrid')[0]!.what,
    };
    for (const [name, text] of [...Object.entries(desk), ...Object.entries(requester)]) {
      expect(text, name).not.toMatch(/waiting_on_requester|→/);
    }
    for (const [name, text] of Object.entries(desk)) expect(text, name).toContain('Waiting on requester');
    for (const [name, text] of Object.entries(requester)) expect(text, name).toContain('Awaiting your reply');
  });

  it('every status, including awaiting_approval, has a label for each audience', () => {
    for (const status of STATUSES) {
      const desk = ticketScreen({ ticket: ticketView({ status: status as TicketView['status'] }), catalog: CATALOG, reader: SHARED_AGENT, link: '', now: NOW });
      expect(desk.status.label).not.toContain('_');
    }
    expect(ticketScreen({ ticket: ticketView({ status: 'awaiting_approval' as TicketView['status'] }), catalog: CATALOG, reader: { role: 'requester' }, link: '', now: NOW }).status.label).toBe('Awaiting approval');
  });

  it('an SLA breach names the clock and its due time in the reader\'s zone, not the raw ISO instant', () => {
    const ticket = ticketView();
    const breach = eventView({ type: 'sla_breached', visibility: 'internal', actor: null, channel: 'system', body: 'Resolution SLA breached: it was due 2026-12-01T08:00:00.000Z', data: { clock: 'resolution', dueAt: '2026-12-01T08:00:00.000Z' } });
    const lines = [threadLine(noticeOf(breach, ticket, 'escalation', 'Europe/Madrid')), eventLine(breach, ticket, 'escalation', 'Europe/Madrid'), renderNotice(deliveryJob(breach, ticket, 'escalation'), DESK_LINK, CATALOG).text];
    for (const line of lines) {
      expect(line).toContain('Resolution SLA breached (was due Tue 1 Dec, 09:00 Europe/Madrid)');
      expect(line).not.toContain('2026-12-01T08:00');
    }
  });
});

describe('after hours: one decision in the model, drawn by every channel', () => {
  // Fri 4 Dec 2026 19:30 in Madrid, after the queue's 18:00 close: it opens Mon 7 Dec 09:00
  // (03:00 in New York), and the P2's 2 business hours make the first reply due at 11:00 (05:00).
  const FRIDAY_EVENING = new Date('2026-12-04T18:30:00.000Z');
  const filed = ticketView({
    status: 'new',
    assignee: null,
    createdAt: FRIDAY_EVENING.toISOString(),
    sla: {
      firstResponse: { dueAt: '2026-12-07T10:00:00.000Z', state: 'running', metAt: null, breachedAt: null, pausedAt: null },
      resolution: { dueAt: '2026-12-07T16:00:00.000Z', state: 'running', metAt: null, breachedAt: null, pausedAt: null },
    },
  });
  const zone = 'America/New_York';
  const said = "We're closed now and open again Mon 7 Dec, 03:00 America/New_York; expect a first reply by Mon 7 Dec, 05:00 America/New_York.";

  async function requesterTexts(ticket: TicketView, now: Date): Promise<Record<string, string>> {
    const person = { timeZone: zone };
    const screen = participantScreen(ticket, CATALOG, PAGE_LINK, now, person);
    const page = ticketScreen({ ticket, catalog: CATALOG, reader: { role: 'requester', email: ticket.requester.email }, readerTimeZone: zone, link: PAGE_LINK, now });
    const created = eventView({ type: 'created', actor: { ...ada, role: 'requester' }, body: '' });
    return {
      slack: textsOf(slackRequesterCard(screen)).join('\n'),
      teams: textsOf(teamsRequesterCard(screen).body).join('\n'),
      web: visible(String(await (<TicketPage screen={page} timeline={[]} action={(verb) => `/t/IT-7/${verb}`} tokens={{ reply: 'r', state: 's' }} />).toString())).replace(/&#39;/g, "'"),
      email: renderNotice(deliveryJob(created, ticket, 'requester', personRow(1, { email: ada.email, timeZone: zone })), PAGE_LINK, CATALOG, { now }).text,
    };
  }

  it('closed now: the requester reads when the desk opens and when the first reply is due, in their zone, on every channel', async () => {
    const screen = participantScreen(filed, CATALOG, PAGE_LINK, FRIDAY_EVENING, { timeZone: zone });
    expect(screen.sla?.closed).toMatchObject({ opensAt: { text: 'Mon 7 Dec, 03:00 America/New_York' }, replyBy: { text: 'Mon 7 Dec, 05:00 America/New_York' }, line: said });
    for (const [name, text] of Object.entries(await requesterTexts(filed, FRIDAY_EVENING))) {
      expect(text, name).toContain(said);
      // Four business hours are not "in 4 h" on a Friday night.
      expect(text, name).not.toMatch(/due in \d/);
    }
  });

  it('closed now: the desk side says the same in the queue zone, in its own words; the page gives no time left', async () => {
    const triage = triageScreen(filed, CATALOG, DESK_LINK, FRIDAY_EVENING);
    const deskLine = 'The desk is closed now and opens Mon 7 Dec, 09:00 Europe/Madrid; first response due Mon 7 Dec, 11:00 Europe/Madrid.';
    expect(textsOf(slackTriageCard(triage)).join('\n')).toContain(deskLine);
    expect(textsOf(teamsTriageCard(triage, CATALOG).body).join('\n')).toContain(deskLine);
    expect(triage.sla?.live).toBe('First response due Mon 7 Dec, 11:00 Europe/Madrid (closed now, opens Mon 7 Dec, 09:00 Europe/Madrid)');
  });

  it('a holiday of the calendar closes the desk on a weekday', async () => {
    const holidays = parseCatalog(CATALOG_YAML.replace('hours: { mon-fri: ["09:00-18:00"] }', 'hours: { mon-fri: ["09:00-18:00"] }\n    holidays: ["2026-12-08"]'), 'holiday catalog');
    // Tue 8 Dec 11:00 in Madrid, a holiday: opens Wed 9 Dec 09:00.
    const tuesday = new Date('2026-12-08T10:00:00.000Z');
    const ticket = ticketView({ status: 'new', assignee: null, sla: { ...filed.sla, firstResponse: { ...filed.sla.firstResponse, dueAt: '2026-12-09T10:00:00.000Z' } } });
    expect(participantScreen(ticket, holidays, PAGE_LINK, tuesday, null).sla?.closed?.line).toBe("We're closed now and open again Wed 9 Dec, 09:00 Europe/Madrid; expect a first reply by Wed 9 Dec, 11:00 Europe/Madrid.");
    expect(participantScreen(ticket, CATALOG, PAGE_LINK, tuesday, null).sla?.closed).toBeNull();
  });

  it('open hours, a reply already given, or waiting on approval: nothing is said of closing', async () => {
    for (const [name, text] of Object.entries(await requesterTexts(filed, new Date('2026-12-07T09:00:00.000Z')))) expect(text, name).not.toContain('closed');
    const answered = ticketView({ sla: { ...filed.sla, firstResponse: { ...filed.sla.firstResponse, state: 'met', metAt: '2026-12-04T18:40:00.000Z' } } });
    expect(participantScreen(answered, CATALOG, PAGE_LINK, FRIDAY_EVENING, null).sla?.closed).toBeNull();
    const awaiting = ticketView({ status: 'awaiting_approval', sla: { ...filed.sla, firstResponse: { ...filed.sla.firstResponse, dueAt: null, state: 'paused' } } });
    expect(participantScreen(awaiting, CATALOG, PAGE_LINK, FRIDAY_EVENING, null).sla?.closed ?? null).toBeNull();
  });
});
