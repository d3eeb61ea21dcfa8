import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePerson } from '../../../src/core/people.ts';
import { people } from '../../../src/db/schema.ts';
import { blockActions, eventCallback, interactionBody, signedSlackRequest, startSlackFake, type SlackFake } from '../../fakes/slack/index.ts';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { startSmtpSink, type SmtpSink } from '../../support/smtp.ts';
import { optionValue } from '../slack/helpers.ts';
import { textOf } from '../slack/harness.ts';
import { installed, personalSubmit } from './activities.ts';
import { bob, cardOf, cardText, personalChat, startDesk, triageChannel, type Desk } from './harness.ts';

// The acknowledgement a requester gets, on each channel at the wire, on a fake clock: while the
// queue's calendar is shut (a Friday evening, a holiday) it says "closed now", when the desk opens
// and when the first reply is due, in the reader's zone; in open hours it says nothing of closing.
// The expected times are worked out by hand from the calendar below, not by our code.

const SIGNING_SECRET = 'after-hours-signing-secret';
const SLACK_TRIAGE = 'C0ITDESK01';
/** On Slack; the fake's profile gives her America/Los_Angeles, so that is her zone. */
const adaOnSlack = { id: 'U0ADA00001', name: 'ada', email: 'ada.slack@example.test', realName: 'Ada Slack' };

const CATALOG = `
calendars:
  madrid:
    timezone: Europe/Madrid
    hours: { mon-fri: ["09:00-18:00"] }
    holidays: ["2026-11-26"]
queues:
  IT: { name: IT Desk, calendar: madrid, slack_channel: ${SLACK_TRIAGE}, teams_channel: "${triageChannel}", agents: [${bob.email}] }
request_types:
  question:
    queue: IT
    name: IT question
    sla: { P3: { first_response: 4h, resolution: 24h } }
`;

/** Fri 27 Nov 2026 19:30 in Madrid: closed until Mon 30 Nov 09:00 (08:00Z); 4 business hours → 13:00 (12:00Z). */
const FRIDAY_EVENING = Date.parse('2026-11-27T18:30:00Z');
/** Thu 26 Nov 2026 11:00 in Madrid, a holiday of the calendar: opens Fri 27 Nov 09:00; first reply by 13:00. */
const HOLIDAY = Date.parse('2026-11-26T10:00:00Z');
/** Wed 25 Nov 2026 11:00 in Madrid: open; first reply by 15:00. */
const OPEN = Date.parse('2026-11-25T10:00:00Z');

describe('after-hours acknowledgement on every channel', { timeout: 90_000 }, () => {
  let slack: SlackFake;
  let sink: SmtpSink;
  let desk: Desk;
  let clock = FRIDAY_EVENING;
  let filed = 0;

  beforeAll(async () => {
    slack = await startSlackFake();
    slack.addUser(adaOnSlack);
    slack.addChannel({ id: SLACK_TRIAGE, name: 'it-desk' });
    sink = await startSmtpSink();
    desk = await startDesk({
      catalogYaml: CATALOG,
      now: () => new Date(clock),
      env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, SMTP_URL: sink.url, MAIL_FROM: 'desk@example.com' },
    });
    await desk.post(installed(desk.connector.url, bob));
  });
  afterAll(async () => {
    await desk?.stop();
    await slack?.close();
    await sink?.close();
  });

  const slackPost = (body: string | object) => fetch(signedSlackRequest(`${desk.sb.url}/slack/events`, { signingSecret: SIGNING_SECRET, body }));

  /** Ada files from her Slack DM; resolves with her card (the DM post with the blocks) as text. */
  async function fileOnSlack(title: string): Promise<string> {
    const dm = `D${adaOnSlack.id}`;
    const message = slack.addMessage(dm, { user: adaOnSlack.id, text: title });
    expect((await slackPost(eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: adaOnSlack.id, text: message.text, ts: message.ts }))).status).toBe(200);
    const picker = await slack.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts);
    const pickerMessage = slack.messagesIn(dm).find((m) => m.ts === (picker.response as { ts: string }).ts)!;
    const value = optionValue(picker.body.blocks, 'IT question');
    await slackPost(interactionBody(blockActions({ user: adaOnSlack, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'IT question' } }] })));
    // The picker message becomes her card (chat.update in place).
    const card = await slack.waitFor('chat.update', (c) => c.body.channel === dm && textOf(c.body.blocks).includes(title) && textOf(c.body.blocks).includes('SLA'), 8_000);
    return textOf(card.body.blocks);
  }

  /** The Slack triage card of a ticket, as text. */
  async function slackTriage(title: string): Promise<string> {
    const card = await slack.waitFor('chat.postMessage', (c) => c.body.channel === SLACK_TRIAGE && textOf(c.body.blocks).includes(title), 8_000);
    return textOf(card.body.blocks);
  }

  /** Ada (TEAMS_FAKE_DEFAULTS.user) files from her Teams chat; resolves with her card as text. */
  async function fileOnTeams(title: string): Promise<string> {
    await desk.post(teamsPersonalMessage({ serviceUrl: desk.connector.url, text: title }));
    await desk.post(personalSubmit(desk.connector.url, { sb: 'file', type: 'question', title, description: 'Filed from Teams' }));
    const sent = await desk.connector.waitFor((c) => c.conversationId === personalChat && cardText(cardOf(c.body)).includes(title) && cardText(cardOf(c.body)).includes('SLA'), 8_000);
    return cardText(cardOf(sent.body));
  }

  /** A requester without chat (email only, Tokyo time) files through the API; resolves with the acknowledgement and their ticket page. */
  async function fileByEmail(title: string): Promise<{ mail: string; page: string }> {
    filed += 1;
    const email = `kenji${filed}@example.org`;
    const person = await resolvePerson(desk.sb.database.db, { email, name: 'Kenji' });
    await desk.sb.database.db.update(people).set({ timeZone: 'Asia/Tokyo' }).where(eq(people.id, person.id));
    const created = await desk.api('POST', '/tickets', { type: 'question', title, requester: { email } });
    expect(created.status).toBe(201);
    const mail = await sink.waitFor((m) => m.envelope.rcptTo.includes(email) && String(m.parsed.subject).includes(title), 10_000);
    const text = String(mail.parsed.text);
    const link = /https?:\/\/\S+\/t\/[^\s]+/.exec(text)?.[0];
    expect(link).toBeDefined();
    // The mail links to PUBLIC_URL; the service listens on a port of its own here.
    const { pathname, search } = new URL(link!);
    const page = await fetch(`${desk.sb.url}${pathname}${search}`);
    expect(page.status).toBe(200);
    return { mail: text, page: visible(await page.text()) };
  }

  it('on a Friday evening: closed now, opens Monday, first reply by Monday, each in the reader\'s zone', async () => {
    clock = FRIDAY_EVENING;
    const slackCard = await fileOnSlack('Printer on floor 2 jams');
    expect(slackCard).toContain("We're closed now and open again Mon 30 Nov, 00:00 America/Los_Angeles; expect a first reply by Mon 30 Nov, 04:00 America/Los_Angeles.");
    // The desk's card in the queue's zone, in the desk's words.
    expect(await slackTriage('Printer on floor 2 jams')).toContain('The desk is closed now and opens Mon 30 Nov, 09:00 Europe/Madrid; first response due Mon 30 Nov, 13:00 Europe/Madrid.');
    const teamsTriage = await desk.connector.waitFor((c) => c.route === 'createConversation' && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes('Printer on floor 2 jams'), 8_000);
    expect(cardText(cardOf((teamsTriage.body as { activity?: unknown }).activity))).toContain('The desk is closed now and opens Mon 30 Nov, 09:00 Europe/Madrid');

    // Teams knows no zone of hers: the queue's.
    expect(await fileOnTeams('Monitor flickers')).toContain("We're closed now and open again Mon 30 Nov, 09:00 Europe/Madrid; expect a first reply by Mon 30 Nov, 13:00 Europe/Madrid.");

    const { mail, page } = await fileByEmail('Calendar invites vanish');
    expect(mail).toContain("We're closed now and open again Mon 30 Nov, 17:00 Asia/Tokyo; expect a first reply by Mon 30 Nov, 21:00 Asia/Tokyo.");
    // The page is drawn when read: still closed, so no "due in 4 h".
    expect(page).toContain("We're closed now and open again Mon 30 Nov, 17:00 Asia/Tokyo; expect a first reply by Mon 30 Nov, 21:00 Asia/Tokyo.");
    expect(page).not.toMatch(/due in \d/);
  });

  it('on a holiday of the queue\'s calendar: closed now, opens the next working day', async () => {
    clock = HOLIDAY;
    expect(await fileOnSlack('VPN drops every hour')).toContain("We're closed now and open again Fri 27 Nov, 00:00 America/Los_Angeles; expect a first reply by Fri 27 Nov, 04:00 America/Los_Angeles.");
    expect(await fileOnTeams('Badge does not open door 3')).toContain("We're closed now and open again Fri 27 Nov, 09:00 Europe/Madrid; expect a first reply by Fri 27 Nov, 13:00 Europe/Madrid.");
    const { mail, page } = await fileByEmail('Shared drive is read-only');
    expect(mail).toContain("We're closed now and open again Fri 27 Nov, 17:00 Asia/Tokyo; expect a first reply by Fri 27 Nov, 21:00 Asia/Tokyo.");
    expect(page).toContain('closed now');
    expect(page).not.toMatch(/due in \d/);
  });

  it('in open hours: the due time, and no word of closing', async () => {
    clock = OPEN;
    const slackCard = await fileOnSlack('Need a second screen');
    expect(slackCard).toContain('First response due Wed 25 Nov, 06:00 America/Los_Angeles');
    expect(slackCard).not.toContain('closed');
    expect(await slackTriage('Need a second screen')).not.toContain('closed');
    const teamsCard = await fileOnTeams('Teams camera is black');
    expect(teamsCard).toContain('First response due Wed 25 Nov, 15:00 Europe/Madrid');
    expect(teamsCard).not.toContain('closed');
    const { mail, page } = await fileByEmail('Password reset loop');
    expect(mail).toContain('First response due Wed 25 Nov, 23:00 Asia/Tokyo.');
    expect(mail).not.toContain('closed');
    expect(page).not.toContain('closed');
    // Open: the page may count the business time left.
    expect(page).toMatch(/First response due in 4 h/);
  });
});

/** What a browser shows: the text between the tags. */
function visible(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/&#39;|&#x27;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
}
