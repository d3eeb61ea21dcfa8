import { describe, expect, it } from 'vitest';
import { anchors } from '../../../src/db/schema.ts';
import { resolvePerson } from '../../../src/core/people.ts';
import { blockActions, eventCallback, interactionBody, messageShortcut, viewSubmission } from '../../fakes/slack/index.ts';
import { startSmtpSink } from '../../support/smtp.ts';
import { forSuite } from '../../support/suite.ts';
import { FAC_TRIAGE, HR_TRIAGE, IT_TRIAGE, ada, bob, callsIn, cyd, fileViaDm, slackDeskForSuite, textOf } from './harness.ts';
import { optionValue, text, viewOf } from './helpers.ts';

const smtp = forSuite(startSmtpSink, (sink) => sink.close());
const desk = slackDeskForSuite(() => ({ SMTP_URL: smtp.url, MAIL_FROM: 'desk@example.test' }));

const cardMessage = (channel: string, ts: string) => desk.fake.messagesIn(channel).find((m) => m.ts === ts)!;
const linesIn = (channel: string, threadTs: string) => callsIn(desk.fake, 'chat.postMessage', channel).filter((c) => c.body.thread_ts === threadTs).map((c) => String(c.body.text));

describe('triage in the queue channel', () => {
  it('Claim and Status update the card in place (chat.update on the stored ts) with a short line in its thread, and the requester\'s card follows', async () => {
    const t = await fileViaDm(desk, ada, 'Printer on 3rd floor jams', 'IT question', IT_TRIAGE);
    await desk.post(interactionBody(blockActions({ user: bob, channel: { id: IT_TRIAGE }, message: { ...cardMessage(IT_TRIAGE, t.cardTs) }, actions: [{ action_id: 'card_claim', value: t.key, text: 'Claim' }] })));
    const claimed = await desk.fake.waitFor('chat.update', (c) => c.body.channel === IT_TRIAGE && c.body.ts === t.cardTs && textOf(c.body.blocks).includes('Bob Agent'));
    // One Claim rule on every channel (src/present/actions.ts): the shared card keeps Claim while the ticket is not closed, so another agent can take it over.
    expect(textOf(claimed.body.blocks)).toContain('Claim');
    await desk.until(() => linesIn(IT_TRIAGE, t.cardTs).some((line) => line.includes(`${t.key} assigned to Bob Agent`)), 'the claim line');

    const status = optionValue(cardMessage(IT_TRIAGE, t.cardTs).blocks, 'In progress');
    await desk.post(interactionBody(blockActions({ user: bob, channel: { id: IT_TRIAGE }, message: { ...cardMessage(IT_TRIAGE, t.cardTs) }, actions: [{ type: 'static_select', action_id: 'card_status', selected: { value: status, text: 'In progress' } }] })));
    const moved = await desk.fake.waitFor('chat.update', (c) => c.body.ts === t.cardTs && textOf(c.body.blocks).includes('*Status*\nIn progress'));
    // Only the legal next states are offered.
    expect(() => optionValue(moved.body.blocks, 'In progress')).toThrow();
    expect(optionValue(moved.body.blocks, 'Resolved')).toBe('resolved');
    // Ada's picker became her card and is edited in place too; no second card in her DM.
    await desk.fake.waitFor('chat.update', (c) => c.body.channel === t.dm && c.body.ts === t.pickerTs && textOf(c.body.blocks).includes('In progress'));
    expect(callsIn(desk.fake, 'chat.postMessage', IT_TRIAGE).filter((c) => c.body.thread_ts === undefined && textOf(c.body.blocks).includes(t.key)).length).toBe(1);
    // The card says why its SLA due time is what it is.
    const why = (moved.body.blocks as Array<{ block_id?: string; elements?: Array<{ text?: string }> }>).find((b) => b.block_id === 'sla_why');
    expect(why?.elements?.[0]?.text).toMatch(/^Due \w{3} \d{2}:\d{2} [\w/]+: \d+ (business )?(hours|minutes) from/);
    expect((await desk.anchorsOf(t.key)).find((a) => a.side === 'triage')?.cardRef).toBe(t.cardTs);
  });

  it('Assign (the queue\'s agents only) and Priority change the ticket through core and refresh the same card', async () => {
    const t = await fileViaDm(desk, ada, 'Laptop fan is very loud', 'IT question', IT_TRIAGE);
    const click = (action: Record<string, unknown>) => {
      const base = blockActions({ user: bob, channel: { id: IT_TRIAGE }, message: { ...cardMessage(IT_TRIAGE, t.cardTs) }, actions: [{ action_id: 'placeholder' }] });
      return desk.post(interactionBody({ ...base, actions: [{ block_id: `card:${t.key}`, action_ts: '1700000000.000100', ...action }] }));
    };
    // The picker lists the IT queue's agents, nobody else from the workspace.
    const picker = (cardMessage(IT_TRIAGE, t.cardTs).blocks as Array<{ elements?: Array<{ action_id?: string; options?: Array<{ value: string }> }> }>)
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id === 'card_assign');
    expect(picker?.options?.map((o) => o.value)).toEqual([bob.email, cyd.email]);
    await click({ type: 'static_select', action_id: 'card_assign', selected_option: { text: { type: 'plain_text', text: cyd.email }, value: cyd.email } });
    await desk.fake.waitFor('chat.update', (c) => c.body.ts === t.cardTs && textOf(c.body.blocks).includes('*Assignee*\ncyd@example.test'));
    await click({ type: 'static_select', action_id: 'card_priority', selected_option: { text: { type: 'plain_text', text: 'P1' }, value: 'P1' } });
    await desk.fake.waitFor('chat.update', (c) => c.body.ts === t.cardTs && textOf(c.body.blocks).includes('*Priority*\nP1'));
    const timeline = await desk.timeline(t.key);
    expect(timeline.find((e) => e.type === 'assigned')).toMatchObject({ actor: { email: bob.email }, data: { to: cyd.email } });
    expect(timeline.find((e) => e.type === 'priority_changed')).toMatchObject({ data: { from: 'P3', to: 'P1' } });
  });

  it('an agent\'s message in the triage thread is an internal note that never reaches the requester', async () => {
    const t = await fileViaDm(desk, ada, 'VPN drops at home', 'HR question', HR_TRIAGE);
    const note = desk.fake.addMessage(HR_TRIAGE, { user: bob.id, text: 'Probably her router, checking logs', thread_ts: t.cardTs });
    await desk.say({ channel: HR_TRIAGE, channel_type: 'channel', user: bob.id, text: note.text, ts: note.ts, thread_ts: t.cardTs });
    const comment = await desk.until(async () => (await desk.timeline(t.key)).find((e) => e.type === 'comment'), 'the note');
    expect(comment).toMatchObject({ visibility: 'internal', actor: { email: bob.email }, body: 'Probably her router, checking logs' });
    await desk.drain();
    expect(desk.fake.calls.some((c) => c.body.channel === t.dm && JSON.stringify(c.body).includes('checking logs'))).toBe(false);
    expect(smtp.messages.some((m) => m.parsed.text?.includes('checking logs'))).toBe(false);
  });

  it('the Reply modal and the "Send to requester" shortcut are the two ways to make it public', async () => {
    const t = await fileViaDm(desk, ada, 'Door to room 4 is stuck', 'Something broken', FAC_TRIAGE);
    await desk.post(interactionBody(blockActions({ user: bob, channel: { id: FAC_TRIAGE }, message: { ...cardMessage(FAC_TRIAGE, t.cardTs) }, actions: [{ action_id: 'card_reply', value: t.key, text: 'Reply to requester' }] })));
    const opened = await desk.fake.waitFor('views.open', (c) => viewOf(c).callback_id === 'reply_modal' && String(viewOf(c).private_metadata).includes(t.key));
    const view = desk.fake.view((opened.response as { view: { id: string } }).view.id)!;
    await desk.post(interactionBody(viewSubmission({ user: bob, view, values: { reply: text('A technician comes at 3pm') } as never })));
    await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === t.dm && c.body.thread_ts === t.threadTs && String(c.body.text).includes('A technician comes at 3pm'));
    await desk.until(() => linesIn(FAC_TRIAGE, t.cardTs).some((l) => l.includes('A technician comes at 3pm')), 'the reply line in triage');

    const agentLine = desk.fake.addMessage(FAC_TRIAGE, { user: bob.id, text: 'Fixed the hinge, try it now', thread_ts: t.cardTs });
    await desk.say({ channel: FAC_TRIAGE, channel_type: 'channel', user: bob.id, text: agentLine.text, ts: agentLine.ts, thread_ts: t.cardTs });
    await desk.until(async () => (await desk.timeline(t.key)).find((e) => e.body === agentLine.text), 'the internal note');
    const send = () => desk.post(interactionBody(messageShortcut({ callbackId: 'send_to_requester', user: bob, channel: { id: FAC_TRIAGE }, message: { ...agentLine } })));
    await send();
    await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === t.dm && String(c.body.text).includes('Fixed the hinge'));
    await send();
    await desk.fake.waitFor('chat.postEphemeral', (c) => String(c.body.text).includes('already sent'));
    const copies = (await desk.timeline(t.key)).filter((e) => e.body === agentLine.text);
    expect(copies.map((e) => e.visibility).sort()).toEqual(['internal', 'public']);
    await desk.drain();
    expect(callsIn(desk.fake, 'chat.postMessage', t.dm).filter((c) => String(c.body.text).includes('Fixed the hinge')).length).toBe(1);
  });

  it('a requester\'s reply in the DM thread reaches the triage thread and an email participant, once, and reopens a resolved ticket', async () => {
    const t = await fileViaDm(desk, ada, 'Need access to the finance share', 'IT question', IT_TRIAGE);
    const [ticketAnchor] = await desk.anchorsOf(t.key);
    // Dee follows the ticket by email (a watcher anchor, as the email channel records one).
    const dee = await resolvePerson(desk.sb.database.db, { email: 'dee@example.test', name: 'Dee Watcher' });
    await desk.sb.database.db.insert(anchors).values({ ticketId: ticketAnchor!.ticketId, channel: 'email', side: 'watcher', personId: dee.id, externalRef: `<watch-${t.key.toLowerCase()}@example.test>` });
    const resolved = await fetch(`${desk.sb.url}/api/v1/tickets/${t.key}/transition`, { method: 'POST', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: JSON.stringify({ status: 'resolved' }) });
    expect(resolved.status).toBe(200);

    const reply = desk.fake.addMessage(t.dm, { user: ada.id, text: 'Still cannot open Q3 folder', thread_ts: t.threadTs });
    const event = { channel: t.dm, channel_type: 'im', user: ada.id, text: reply.text, ts: reply.ts, thread_ts: t.threadTs };
    await desk.say(event, 'Ev0REPLY0001');
    // Slack redelivers the same event (X-Slack-Retry-Num: 1): nothing happens twice.
    await desk.post(eventCallback({ type: 'message', ...event }, { eventId: 'Ev0REPLY0001' }), { retryNum: 1 });
    await desk.until(() => linesIn(IT_TRIAGE, t.cardTs).some((l) => l.includes('Still cannot open Q3 folder')), 'the line in triage');
    const mail = await smtp.waitFor((m) => m.envelope.rcptTo.includes('dee@example.test') && (m.parsed.text ?? '').includes('Still cannot open Q3 folder'));
    expect(mail).toBeDefined();
    const timeline = await desk.timeline(t.key);
    expect(timeline.filter((e) => e.type === 'comment')).toHaveLength(1);
    expect(timeline.find((e) => e.type === 'comment')).toMatchObject({ visibility: 'public', actor: { email: ada.email } });
    expect(timeline.filter((e) => e.type === 'status_changed').at(-1)).toMatchObject({ data: { from: 'resolved', to: 'open' } });
    await desk.drain();
    expect(linesIn(IT_TRIAGE, t.cardTs).filter((l) => l.includes('Still cannot open Q3 folder'))).toHaveLength(1);
  });

  it('an edit and a delete of a mirrored DM reply rewrite the line in the triage thread instead of adding one; bot messages are ignored', async () => {
    const t = await fileViaDm(desk, ada, 'Keyboard missing keys', 'HR question', HR_TRIAGE);
    const reply = desk.fake.addMessage(t.dm, { user: ada.id, text: 'The Q key is gone', thread_ts: t.threadTs });
    await desk.say({ channel: t.dm, channel_type: 'im', user: ada.id, text: reply.text, ts: reply.ts, thread_ts: t.threadTs });
    const mirrored = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === HR_TRIAGE && String(c.body.text).includes('The Q key is gone'));
    const mirroredTs = (mirrored.response as { ts: string }).ts;

    const edited = { ...reply, text: 'The Q and W keys are gone' };
    await desk.say({ channel: t.dm, channel_type: 'im', subtype: 'message_changed', hidden: true, ts: '1.000001', message: { type: 'message', user: ada.id, text: edited.text, ts: reply.ts, thread_ts: t.threadTs }, previous_message: { type: 'message', user: ada.id, text: reply.text, ts: reply.ts, thread_ts: t.threadTs } });
    await desk.fake.waitFor('chat.update', (c) => c.body.channel === HR_TRIAGE && c.body.ts === mirroredTs && String(c.body.text).includes('Q and W'));
    await desk.say({ channel: t.dm, channel_type: 'im', subtype: 'message_deleted', hidden: true, ts: '1.000002', deleted_ts: reply.ts, previous_message: { type: 'message', user: ada.id, text: edited.text, ts: reply.ts, thread_ts: t.threadTs } });
    await desk.fake.waitFor('chat.update', (c) => c.body.ts === mirroredTs && String(c.body.text).includes('removed a message'));
    const types = (await desk.timeline(t.key)).map((e) => e.type);
    expect(types.filter((type) => type.startsWith('comment'))).toEqual(['comment', 'comment_edited', 'comment_removed']);
    expect(linesIn(HR_TRIAGE, t.cardTs).filter((l) => l.includes('Q key') || l.includes('Q and W'))).toHaveLength(1);

    await desk.say({ channel: HR_TRIAGE, channel_type: 'channel', subtype: 'bot_message', bot_id: 'B0OTHER01', text: 'Deploy finished', ts: '1.000003', thread_ts: t.cardTs });
    await desk.say({ channel: HR_TRIAGE, channel_type: 'channel', user: desk.fake.identity.botUserId, bot_id: desk.fake.identity.botId, text: 'my own echo', ts: '1.000004', thread_ts: t.cardTs });
    await desk.drain();
    expect((await desk.timeline(t.key)).some((e) => e.body === 'Deploy finished' || e.body === 'my own echo')).toBe(false);
  });
});
