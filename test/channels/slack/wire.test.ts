import { describe, expect, it } from 'vitest';
import { blockActions, eventCallback, interactionBody } from '../../fakes/slack/index.ts';
import { FAC_TRIAGE, HR_TRIAGE, IT_TRIAGE, ada, callsIn, fileViaDm, slackDeskForSuite, textOf } from './harness.ts';
import { optionValue } from './helpers.ts';

const desk = slackDeskForSuite();

const dm = `D${ada.id}`;

describe('the Slack wire', () => {
  it('refuses bad and stale signatures with 401 and processes nothing; answers url_verification and ssl_check', async () => {
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'forged request' });
    const event = eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts });
    const forged = await desk.post(event, { signingSecret: 'not-the-secret' });
    const stale = await desk.post(event, { timestampSeconds: Math.floor(Date.now() / 1000) - 6 * 60 });
    const unsigned = await fetch(`${desk.sb.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);

    const challenge = await desk.post({ type: 'url_verification', token: 'x', challenge: 'c-123' });
    expect(await challenge.json()).toEqual({ challenge: 'c-123' });
    const ssl = await fetch(`${desk.sb.url}/slack/events`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=x' });
    expect(ssl.status).toBe(200);
    await desk.drain();
    expect(desk.fake.calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts === message.ts)).toHaveLength(0);
  });

  it('a redelivered DM (same event_id, X-Slack-Retry-Num) gets one picker, and a double pick files one ticket', async () => {
    const before = (await desk.ticketKeys()).length;
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'Badge reader at the garage is dead' });
    const event = eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts }, { eventId: 'Ev0RETRY00001' });
    expect((await desk.post(event)).status).toBe(200);
    expect((await desk.post(event, { retryNum: 1 })).status).toBe(200);
    expect((await desk.post(event, { retryNum: 2 })).status).toBe(200);
    const picker = await desk.fake.waitFor('chat.postMessage', (c) => c.body.thread_ts === message.ts);
    const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === (picker.response as { ts: string }).ts)!;
    const pick = blockActions({ user: ada, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value: optionValue(picker.body.blocks, 'Something broken'), text: 'Something broken' } }] });
    await desk.post(interactionBody(pick));
    await desk.post(interactionBody({ ...pick, trigger_id: `${pick.trigger_id}x` }));
    await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === FAC_TRIAGE && textOf(c.body.blocks).includes('garage'));
    await desk.drain();
    expect((await desk.ticketKeys()).length).toBe(before + 1);
    expect(desk.fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === message.ts)).toHaveLength(1);
  });

  it('neutralises mrkdwn in user text: <!channel> and links in a title show as text on every card', async () => {
    const t = await fileViaDm(desk, ada, '<!channel> urgent <https://evil.example|reset here> & more', 'HR question', HR_TRIAGE);
    const posted = callsIn(desk.fake, 'chat.postMessage', HR_TRIAGE).find((c) => textOf(c.body.blocks).includes(t.key))!;
    const everything = JSON.stringify([posted.body.text, posted.body.blocks]);
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('<https://evil.example');
    expect(everything).toContain('&lt;!channel&gt; urgent &lt;https://evil.example|reset here&gt; &amp; more');
    const dmCard = await desk.fake.waitFor('chat.update', (c) => c.body.channel === t.dm && c.body.ts === t.pickerTs);
    expect(JSON.stringify(dmCard.body)).not.toContain('<!channel>');
  });

  it('a 429 is retried after Retry-After, and posts to one channel keep Slack\'s pace', async () => {
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'Projector in room 7 is blurry' });
    await desk.say({ channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts });
    const picker = await desk.fake.waitFor('chat.postMessage', (c) => c.body.thread_ts === message.ts);
    const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === (picker.response as { ts: string }).ts)!;
    // Slack is busy when the triage card goes out.
    desk.fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value: optionValue(picker.body.blocks, 'IT question'), text: 'IT question' } }] })));
    const accepted = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === IT_TRIAGE && c.status === 200 && textOf(c.body.blocks).includes('room 7'), 8_000);
    const rejected = desk.fake.callsTo('chat.postMessage').find((c) => c.status === 429)!;
    expect(rejected.body.channel).toBe(IT_TRIAGE);
    expect(accepted.at - rejected.at).toBeGreaterThanOrEqual(1_000);
    const key = /IT-\d+/.exec(textOf(accepted.body.blocks))![0];
    const card = await desk.until(async () => (await desk.deliveriesOf(key)).find((d) => d.channel === 'slack' && d.audience === 'triage' && d.status === 'sent'), 'the card delivery');
    // Waiting out a Retry-After is not a failed attempt (the outbox gives up by age, not by count).
    expect(card.attempts).toBe(1);
    const t = { dm, threadTs: message.ts };

    // Six replies from Ada: six lines into the IT channel, no faster than the bucket allows.
    for (let i = 1; i <= 6; i++) {
      const reply = desk.fake.addMessage(t.dm, { user: ada.id, text: `detail ${i}`, thread_ts: t.threadTs });
      await desk.say({ channel: t.dm, channel_type: 'im', user: ada.id, text: reply.text, ts: reply.ts, thread_ts: t.threadTs });
    }
    await desk.until(() => callsIn(desk.fake, 'chat.postMessage', IT_TRIAGE).filter((c) => /detail \d/.test(String(c.body.text))).length === 6 || undefined, 'six lines', 15_000);
    const at = callsIn(desk.fake, 'chat.postMessage', IT_TRIAGE).filter((c) => c.at >= accepted.at).map((c) => c.at);
    // A bucket of 3 refilled at 1/s: any 4 consecutive posts span at least a second.
    for (let i = 3; i < at.length; i++) expect(at[i]! - at[i - 3]!).toBeGreaterThanOrEqual(990);
  });
});

