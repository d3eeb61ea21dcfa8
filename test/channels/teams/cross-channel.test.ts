import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActions, eventCallback, interactionBody, signedSlackRequest, startSlackFake, viewSubmission, type SlackFake } from '../../fakes/slack/index.ts';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { TEAMS_FAKE_DEFAULTS } from '../../fakes/teams/defaults.ts';
import { optionValue, text } from '../slack/helpers.ts';
import { channelSubmit, installed, personalSubmit } from './activities.ts';
import { ada, bob, cardOf, cardText, startDesk, triageChannel, type Desk } from './harness.ts';

const SIGNING_SECRET = 'cross-channel-signing-secret';
const SLACK_TRIAGE = 'C0ITDESK01';
/** Ada is on Slack only; Bob (agent) works in Teams. */
const adaOnSlack = { id: 'U0ADA00001', name: 'ada', email: 'ada.slack@example.test', realName: 'Ada Slack' };
/** An agent working in the Slack triage channel. */
const cydOnSlack = { id: 'U0CYD00001', name: 'cyd', email: 'cyd@example.test', realName: 'Cyd Agent' };

const CATALOG = `
calendars:
  always: { timezone: UTC, hours: 24x7 }
queues:
  IT: { name: IT Desk, calendar: always, slack_channel: ${SLACK_TRIAGE}, teams_channel: "${triageChannel}", agents: [${bob.email}, ${cydOnSlack.email}] }
request_types:
  question:
    queue: IT
    name: IT question
    sla: { P3: { first_response: 4h, resolution: 24h } }
`;

describe('one ticket, two platforms: Slack requesters and Teams agents', () => {
  let slack: SlackFake;
  let desk: Desk;
  beforeAll(async () => {
    slack = await startSlackFake();
    slack.addUser(adaOnSlack);
    slack.addUser(cydOnSlack);
    slack.addChannel({ id: SLACK_TRIAGE, name: 'it-desk' });
    desk = await startDesk({
      catalogYaml: CATALOG,
      env: { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl },
    });
    // Teams has called us once (the app installed for Bob), so we know its Bot Connector.
    await desk.post(installed(desk.connector.url, bob));
  });
  afterAll(async () => {
    await desk.stop();
    await slack.close();
  });

  const slackPost = (body: string | object) => fetch(signedSlackRequest(`${desk.sb.url}/slack/events`, { signingSecret: SIGNING_SECRET, body }));

  it('a ticket filed from a Slack DM gets a Teams reply chain, and the Teams agent\'s reply reaches the Slack DM thread', async () => {
    const dm = `D${adaOnSlack.id}`;
    const message = slack.addMessage(dm, { user: adaOnSlack.id, text: 'The wifi in room 4 keeps dropping' });
    expect((await slackPost(eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: adaOnSlack.id, text: message.text, ts: message.ts }))).status).toBe(200);
    const picker = await slack.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts);
    const pickerMessage = slack.messagesIn(dm).find((m) => m.ts === (picker.response as { ts: string }).ts)!;
    const value = optionValue(picker.body.blocks, 'IT question');
    await slackPost(interactionBody(blockActions({ user: adaOnSlack, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'IT question' } }] })));

    // The Teams triage channel gets its own reply chain for the Slack-filed ticket.
    const chain = await desk.connector.waitFor((c) => c.route === 'createConversation' && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes('The wifi in room 4'), 8_000);
    const triage = cardText(cardOf((chain.body as { activity?: unknown }).activity));
    expect(triage).toContain('Ada Slack');
    const key = /IT-\d+/.exec(triage)![0];
    const { id: threadId } = chain.response as { id: string };
    await desk.anchored(key, 'teams', 'triage');

    // Bob answers from the Teams card; Ada reads it in her Slack DM thread.
    await desk.post(channelSubmit(desk.connector.url, threadId, { sb: 'reply', ticket: key, reply: 'Moving you to the 5 GHz network now' }, bob));
    const answered = await slack.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts && JSON.stringify(c.body).includes('5 GHz network'), 8_000);
    expect(answered.status).toBe(200);
    const events = ((await (await desk.api('GET', `/tickets/${key}/events`)).json()) as { items: Array<{ type: string; visibility: string; channel: string }> }).items;
    expect(events.filter((e) => e.type === 'comment')).toEqual([expect.objectContaining({ visibility: 'public', channel: 'teams' })]);
  });

  it('a ticket filed in Teams is answered by an agent from the Slack card, and the answer reaches the Teams chat', async () => {
    const { connector } = desk;
    const form = { sb: 'file', type: 'question', title: 'Which VPN profile for travel?', description: 'Flying to Lisbon next week' };
    await desk.post(teamsPersonalMessage({ serviceUrl: connector.url, text: 'Which VPN profile for travel?' }));
    await desk.post(personalSubmit(connector.url, form));
    const slackCard = await slack.waitFor('chat.postMessage', (c) => c.body.channel === SLACK_TRIAGE && String(JSON.stringify(c.body.blocks)).includes('Which VPN profile'), 8_000);
    const key = /IT-\d+/.exec(JSON.stringify(slackCard.body.blocks))![0];
    const cardTs = (slackCard.response as { ts: string }).ts;
    await desk.anchored(key, 'slack', 'triage');
    const cardMessage = slack.messagesIn(SLACK_TRIAGE).find((m) => m.ts === cardTs)!;

    await slackPost(interactionBody(blockActions({ user: cydOnSlack, channel: { id: SLACK_TRIAGE }, message: { ...cardMessage }, actions: [{ action_id: 'card_reply', value: key, text: 'Reply to requester' }] })));
    const opened = await slack.waitFor('views.open', (c) => String(JSON.stringify(c.body.view)).includes(key));
    const view = slack.view((opened.response as { view: { id: string } }).view.id)!;
    await slackPost(interactionBody(viewSubmission({ user: cydOnSlack, view, values: { reply: text('Use the "Travel" profile') } as never })));

    const line = await connector.waitFor((c) => c.conversationId === TEAMS_FAKE_DEFAULTS.personalConversationId && String((c.body as { text?: string } | undefined)?.text).includes('Travel'), 8_000);
    expect((line.body as { recipient?: { id: string } }).recipient?.id).toBe(ada.id);
    expect(String((line.body as { text: string }).text)).toContain('Use the &quot;Travel&quot; profile');
  });
});
