import { describe, expect, it } from 'vitest';
import { blockActions, interactionBody } from '../../fakes/slack/index.ts';
import { ada, slackDeskForSuite } from './harness.ts';

const desk = slackDeskForSuite();

/** Requests the receiver answered by its deadline because no listener acked: a 200 that did wait. */
async function deadlineAnswers(): Promise<number> {
  const text = await fetch(`${desk.sb.url}/metrics`).then((r) => r.text());
  return Number(/^switchboard_slack_ack_deadline_total (\S+)$/m.exec(text)?.[1] ?? 0);
}

/**
 * Slack's 3-second window is for the ack alone: the 200 goes back before any Slack Web API
 * call of the work it starts is answered. The fake holds those calls until the test lets it
 * answer, so a 200 that waited for one of them would never arrive before the release.
 */
describe('the Slack ack does not wait for the work', () => {
  it('a DM event is answered 200 while the type picker (chat.postMessage) is still unanswered; the picker follows', async () => {
    const dm = `D${ada.id}`;
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'The printer on 3 jams' });
    const deadlines = await deadlineAnswers();
    const release = desk.fake.hold('chat.postMessage');
    let released = false;
    try {
      const response = await desk.say({ channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts }, 'Ev0ACKFIRST01');
      expect(released).toBe(false);
      expect(response.status).toBe(200);
      expect(await deadlineAnswers()).toBe(deadlines);
      expect(desk.fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === message.ts)).toHaveLength(0);
    } finally {
      released = true;
      release();
    }
    await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts);
  });

  it('a type pick (block_actions) is answered 200 before conversations.replies and users.info answer; the ticket is filed after', async () => {
    const dm = `D${ada.id}`;
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'Keyboard missing the E key' });
    const before = (await desk.ticketKeys()).length;
    const deadlines = await deadlineAnswers();
    const releaseReplies = desk.fake.hold('conversations.replies');
    const releaseUsers = desk.fake.hold('users.info');
    let released = false;
    try {
      const value = `question|dm|${dm}|${message.ts}`;
      const response = await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ts: message.ts }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'IT question' } }] })));
      expect(released).toBe(false);
      expect(response.status).toBe(200);
      expect(await deadlineAnswers()).toBe(deadlines);
      expect(desk.fake.callsTo('conversations.replies')).toHaveLength(0);
      expect(await desk.ticketKeys()).toHaveLength(before);
    } finally {
      released = true;
      releaseReplies();
      releaseUsers();
    }
    await desk.until(async () => (await desk.ticketKeys()).length > before, 'the ticket filed after the ack');
  });
});
