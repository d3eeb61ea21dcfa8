import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { people } from '../../../src/db/schema.ts';
import { blockActions, eventCallback, interactionBody, signedSlackRequest, startSlackFake, type SlackFake } from '../../fakes/slack/index.ts';
import { scimUser } from '../../support/scim.ts';
import { optionValue } from '../slack/helpers.ts';
import { textOf } from '../slack/harness.ts';
import { installed, nextId, personalSubmit } from './activities.ts';
import { bob, cardOf, cardText, eve, eventually, startDesk, triageChannel, type Desk } from './harness.ts';

// Issue 16's story across platforms: a system-access request filed on Slack waits for the
// requester's manager, whom the directory (SCIM) names; she decides on Teams, and every card
// (the Slack triage card, the requester's Slack card, the approver's Teams card) shows it, edited in place.

const SIGNING_SECRET = 'approval-journey-signing-secret';
const SCIM_TOKEN = 'approval-journey-scim-token-0123456789';
const SLACK_TRIAGE = 'C0ITDESK01';
/** Eve's personal chat with the bot. */
const EVE_CHAT = 'a:fake-personal-chat-eve';
/** On Slack only. */
const adaOnSlack = { id: 'U0ADA00001', name: 'ada', email: 'ada.slack@example.test', realName: 'Ada Slack' };

const CATALOG = `
calendars:
  always: { timezone: UTC, hours: 24x7 }
queues:
  IT: { name: IT Desk, calendar: always, slack_channel: ${SLACK_TRIAGE}, teams_channel: "${triageChannel}", agents: [${bob.email}] }
request_types:
  system-access:
    queue: IT
    name: Access to a system
    approvals: [{ approver: manager }]
    sla: { P3: { first_response: 2h, resolution: 8h } }
`;

describe('a system-access request from Slack, approved by the manager on Teams', { timeout: 90_000 }, () => {
  let slack: SlackFake;
  let desk: Desk;

  beforeAll(async () => {
    slack = await startSlackFake();
    slack.addUser(adaOnSlack);
    slack.addChannel({ id: SLACK_TRIAGE, name: 'it-desk' });
    desk = await startDesk({ catalogYaml: CATALOG, env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, SCIM_TOKEN } });
    // The directory: Eve manages Ada.
    const manager = await scimUser(desk.sb.url, SCIM_TOKEN, eve.email, { givenName: 'Eve', familyName: 'Colleague' });
    await scimUser(desk.sb.url, SCIM_TOKEN, adaOnSlack.email, { givenName: 'Ada', familyName: 'Slack', managerId: manager });
    // Eve has the app in her personal scope, so Teams is how to reach her.
    await desk.post(installed(desk.connector.url, bob));
    const install = installed(desk.connector.url, eve);
    expect((await desk.post({ ...install, conversation: { ...install.conversation, id: EVE_CHAT } })).status).toBe(200);
    await eventually(async () => ((await desk.sb.database.db.select().from(people).where(eq(people.email, eve.email)))[0]?.teamsConversation ? true : undefined));
  });
  afterAll(async () => {
    await desk?.stop();
    await slack?.close();
  });

  const slackPost = (body: string | object) => fetch(signedSlackRequest(`${desk.sb.url}/slack/events`, { signingSecret: SIGNING_SECRET, body }));
  const slackUpdates = (channel: string, ts: string, text: string) => slack.callsTo('chat.update').filter((c) => c.status === 200 && c.body.channel === channel && c.body.ts === ts && textOf(c.body.blocks).includes(text));

  it('awaits Eve (the manager from SCIM) on Teams; she approves there; the Slack triage card, Ada\'s Slack card and Eve\'s Teams card all show it', async () => {
    // Ada files from her Slack DM.
    const dm = `D${adaOnSlack.id}`;
    const message = slack.addMessage(dm, { user: adaOnSlack.id, text: 'Access to the finance share please' });
    await slackPost(eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: adaOnSlack.id, text: message.text, ts: message.ts }));
    const picker = await slack.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts);
    const pickerTs = (picker.response as { ts: string }).ts;
    const pickerMessage = slack.messagesIn(dm).find((m) => m.ts === pickerTs)!;
    const value = optionValue(picker.body.blocks, 'Access to a system');
    await slackPost(interactionBody(blockActions({ user: adaOnSlack, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'Access to a system' } }] })));
    const triage = await slack.waitFor('chat.postMessage', (c) => c.body.channel === SLACK_TRIAGE && textOf(c.body.blocks).includes('finance share'), 8_000);
    const triageTs = (triage.response as { ts: string }).ts;
    const key = /IT-\d+/.exec(textOf(triage.body.blocks))![0];
    expect(textOf(triage.body.blocks)).toContain('Approvals: 1 waiting for Eve Colleague');
    const adaCard = await slack.waitFor('chat.update', (c) => c.body.channel === dm && c.body.ts === pickerTs && textOf(c.body.blocks).includes(key), 8_000);
    expect(textOf(adaCard.body.blocks)).toContain('Awaiting approval');

    // The manager from the directory is asked in her Teams chat.
    const asked = await desk.connector.waitFor((c) => c.conversationId === EVE_CHAT && (c.route === 'sendToConversation' || c.route === 'replyToActivity') && cardText(cardOf(c.body)).includes(`Approval needed · ${key}`), 8_000);
    const eveCardId = (asked.response as { id: string }).id;
    expect(cardText(cardOf(asked.body))).toContain('Access to the finance share please');
    const before = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { status: string; approvals: Array<{ approver: { email: string } | null }> };
    expect(before.status).toBe('awaiting_approval');
    expect(before.approvals.map((a) => a.approver?.email)).toEqual([eve.email]);

    // She approves from the card (Action.Execute); the answer replaces her card.
    const base = personalSubmit(desk.connector.url, {}, undefined, eve);
    const approved = await desk.post({ ...base, type: 'invoke', name: 'adaptiveCard/action', id: nextId(), conversation: { ...base.conversation, id: EVE_CHAT }, value: { action: { type: 'Action.Execute', verb: 'approval.approve', data: { ticket: key, step: 1 } } } });
    expect(approved.status).toBe(200);
    expect(cardText(((await approved.json()) as { value: unknown }).value)).toContain('Approved by Eve Colleague');

    // Every copy shows the decision, each edited in place.
    await desk.connector.waitFor((c) => c.route === 'updateActivity' && c.conversationId === EVE_CHAT && c.activityId === eveCardId && cardText(cardOf(c.body)).includes('Approved by Eve Colleague'), 8_000);
    await eventually(async () => slackUpdates(SLACK_TRIAGE, triageTs, 'Approvals: 1 approved by Eve Colleague')[0], 10_000);
    await eventually(async () => slackUpdates(dm, pickerTs, 'Approvals: 1 approved by Eve Colleague')[0], 10_000);
    // The last step approved: the ticket opens, and both Slack cards say so.
    const after = (await (await desk.api('GET', `/tickets/${key}`)).json()) as { status: string; sla: { firstResponse: { dueAt: string | null } } };
    expect(after.status).toBe('open');
    expect(after.sla.firstResponse.dueAt).not.toBeNull();
    await eventually(async () => slackUpdates(dm, pickerTs, '*Status:* Open')[0], 10_000);
    await eventually(async () => slackUpdates(SLACK_TRIAGE, triageTs, '*Status*\nOpen')[0], 10_000);
    const events = ((await (await desk.api('GET', `/tickets/${key}/events`)).json()) as { items: Array<{ type: string; channel: string }> }).items;
    expect(events.filter((e) => e.type === 'approval_decided').map((e) => e.channel)).toEqual(['teams']);
  });
});
