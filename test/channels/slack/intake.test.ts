import { describe, expect, it } from 'vitest';
import { blockActions, eventCallback, interactionBody, messageShortcut, slashCommandBody, viewSubmission } from '../../fakes/slack/index.ts';
import { GENERAL, HR_TRIAGE, IT_TRIAGE, ada, bob, callsIn, cyd, slackDeskForSuite, textOf } from './harness.ts';
import { blockIds, date, optionValue, select, text, viewOf } from './helpers.ts';

const desk = slackDeskForSuite();

const dmOf = (user: { id: string }) => `D${user.id}`;

/** Ada writes to the bot; returns her message and the picker the bot answered with. */
async function adaWrites(textBody: string) {
  const dm = dmOf(ada);
  const message = desk.fake.addMessage(dm, { user: ada.id, text: textBody });
  const response = await desk.say({ channel: dm, channel_type: 'im', user: ada.id, text: textBody, ts: message.ts });
  expect(response.status).toBe(200);
  const picker = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === dm && c.body.thread_ts === message.ts);
  return { dm, message, picker };
}

describe('intake from Slack', () => {
  it('a DM to the bot gets a type picker in thread; picking files the ticket with the message, and the DM thread becomes the requester anchor', async () => {
    const { dm, message, picker } = await adaWrites('My monitor flickers since this morning');
    const pickerTs = (picker.response as { ts: string }).ts;
    expect(await desk.ticketKeys()).toEqual([]);

    const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === pickerTs)!;
    const value = optionValue(picker.body.blocks, 'IT question');
    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'IT question' } }] })));

    const key = await desk.until(async () => (await desk.ticketKeys())[0], 'the ticket');
    const [created] = await desk.timeline(key);
    expect(created).toMatchObject({ type: 'created', body: 'My monitor flickers since this morning', actor: { email: ada.email } });
    const anchors = await desk.anchorsOf(key);
    expect(anchors.find((a) => a.side === 'requester')).toMatchObject({ externalRef: `${dm}:${message.ts}`, cardRef: pickerTs });

    // The picker turns into Ada's card; the IT channel gets the triage card.
    const card = await desk.fake.waitFor('chat.update', (c) => c.body.channel === dm && c.body.ts === pickerTs);
    expect(textOf(card.body.blocks)).toContain(key);
    const triage = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === IT_TRIAGE && textOf(c.body.blocks).includes(key));
    const cardText = textOf(triage.body.blocks);
    expect(cardText).toContain('Ada Lovelace');
    // A card stays in the channel: absolute due times in the queue's zone, never "in 2 h" (src/present/sla.ts).
    expect(cardText).toMatch(/First response due \w{3} \d{1,2} \w{3}, \d{2}:\d{2} [\w/]+/);
    expect(cardText).not.toMatch(/ due in | ago\b/);
    // The triage card links the agent workspace (sign in as yourself), never the requester's signed link.
    expect(cardText).toMatch(/<http:\/\/localhost:0\/desk\/t\/IT-\d+\|Open the ticket page>/);
    expect(cardText).not.toMatch(/\/t\/IT-\d+\?e=/);
  });

  it('picking a type with required fields opens the request modal prefilled from the DM, and the ticket keeps the DM thread', async () => {
    const { dm, message, picker } = await adaWrites('I need a new laptop, mine died');
    const pickerMessage = desk.fake.messagesIn(dm).find((m) => m.ts === (picker.response as { ts: string }).ts)!;
    await desk.post(interactionBody(blockActions({ user: ada, channel: { id: dm }, message: { ...pickerMessage }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value: optionValue(picker.body.blocks, 'New laptop'), text: 'New laptop' } }] })));
    const opened = await desk.fake.waitFor('views.open', (c) => String(viewOf(c).private_metadata).includes(message.ts));
    const view = desk.fake.view((opened.response as { view: { id: string } }).view.id)!;
    expect(blockIds(view)).toContain('field:model');

    const submit = (values: Record<string, Record<string, never>>) => desk.post(interactionBody(viewSubmission({ user: ada, view, values })));
    const missing = await submit({ type: select('laptop', 'request_type'), title: text('Laptop died'), 'field:model': {} } as never);
    expect(await missing.json()).toEqual({ response_action: 'errors', errors: { 'field:model': expect.stringMatching(/required/i) } });

    const ok = await submit({ type: select('laptop', 'request_type'), title: text('Laptop died'), description: text('I need a new laptop, mine died'), 'field:model': select('15-inch') } as never);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('');
    const key = await desk.until(async () => (await desk.ticketKeys()).at(-1) !== undefined && (await desk.timeline((await desk.ticketKeys()).at(-1)!))[0]!.body.includes('mine died') ? (await desk.ticketKeys()).at(-1) : undefined, 'the laptop ticket');
    expect((await desk.anchorsOf(key!)).find((a) => a.side === 'requester')?.externalRef).toBe(`${dm}:${message.ts}`);
  });

  it('/request opens a modal that updates to the picked type\'s fields and shows validation errors in the modal', async () => {
    const before = (await desk.ticketKeys()).length;
    const command = await desk.post(slashCommandBody({ command: '/request', user_id: cyd.id, channel_id: GENERAL, text: 'new laptop for Dee' }));
    expect(command.status).toBe(200);
    const opened = await desk.fake.waitFor('views.open', (c) => textOf(viewOf(c).blocks).length > 0 && !blockIds(viewOf(c)).includes('field:model') && c.body.view !== undefined && JSON.stringify(c.body.view).includes('new laptop for Dee'));
    const viewId = (opened.response as { view: { id: string } }).view.id;
    expect(blockIds(desk.fake.view(viewId))).not.toContain('field:model');

    await desk.post(interactionBody(blockActions({ user: cyd, view: desk.fake.view(viewId)!, actions: [{ type: 'static_select', action_id: 'request_type', selected: { value: 'laptop', text: 'New laptop' } }] })));
    await desk.fake.waitFor('views.update', (c) => c.body.view_id === viewId);
    const updated = desk.fake.view(viewId)!;
    expect(blockIds(updated)).toEqual(expect.arrayContaining(['type', 'title', 'field:model', 'field:needed_by']));

    const values = { type: select('laptop', 'request_type'), title: text('New laptop for Dee'), 'field:model': select('13-inch'), 'field:needed_by': date('next week') };
    const bad = await desk.post(interactionBody(viewSubmission({ user: cyd, view: updated, values: values as never })));
    expect(await bad.json()).toEqual({ response_action: 'errors', errors: { 'field:needed_by': expect.stringMatching(/date/i) } });
    expect((await desk.ticketKeys()).length).toBe(before);

    await desk.post(interactionBody(viewSubmission({ user: cyd, view: updated, values: { ...values, 'field:needed_by': date('2026-12-01') } as never })));
    const key = await desk.until(async () => (await desk.ticketKeys())[before], 'the /request ticket');
    const ticket = await desk.timeline(key);
    expect(ticket[0]).toMatchObject({ actor: { email: cyd.email }, data: { fields: { model: '13-inch', needed_by: '2026-12-01' } } });
    // No DM thread yet: the requester's card opens one (conversations.open, then a new DM thread).
    const dmCard = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === dmOf(cyd) && textOf(c.body.blocks).includes(key));
    expect(dmCard.body.thread_ts).toBeUndefined();
    await desk.until(async () => (await desk.anchorsOf(key)).find((a) => a.side === 'requester'), 'the DM anchor');
  });

  it('the "Create request" shortcut files on behalf of the message\'s author and links the original message', async () => {
    const original = desk.fake.addMessage(GENERAL, { user: bob.id, text: 'The HR portal shows the wrong holidays' });
    await desk.post(interactionBody(messageShortcut({ callbackId: 'create_request', user: cyd, channel: { id: GENERAL }, message: { ...original } })));
    const opened = await desk.fake.waitFor('views.open', (c) => JSON.stringify(c.body.view).includes('wrong holidays'));
    const view = desk.fake.view((opened.response as { view: { id: string } }).view.id)!;
    expect(blockIds(view)).toContain('on_behalf');
    await desk.post(interactionBody(blockActions({ user: cyd, view, actions: [{ type: 'static_select', action_id: 'request_type', selected: { value: 'hr-question', text: 'HR question' } }] })));
    await desk.fake.waitFor('views.update', (c) => c.body.view_id === view.id);
    const values = { on_behalf: { value: { type: 'radio_buttons', selected_option: { value: 'author' } } }, type: select('hr-question', 'request_type'), title: text('Wrong holidays in the HR portal'), description: text(original.text) };
    await desk.post(interactionBody(viewSubmission({ user: cyd, view: desk.fake.view(view.id)!, values: values as never })));
    const triage = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === HR_TRIAGE);
    const key = /HR-\d+/.exec(textOf(triage.body.blocks))![0];
    const [created] = await desk.timeline(key);
    expect(created!.actor?.email).toBe(bob.email);
    expect(created!.body).toContain(`https://switchboard-test.slack.com/archives/${GENERAL}/p${original.ts.replace('.', '')}`);
    expect(desk.fake.callsTo('chat.getPermalink').some((c) => c.body.message_ts === original.ts)).toBe(true);
  });

  it('a :ticket: reaction offers the reactor a picker and files the message for its author, in the message\'s thread', async () => {
    const original = desk.fake.addMessage(GENERAL, { user: ada.id, text: 'Wifi on floor 2 drops every hour' });
    await desk.post(eventCallback({ type: 'reaction_added', user: bob.id, reaction: 'ticket', item: { type: 'message', channel: GENERAL, ts: original.ts }, item_user: ada.id }));
    const ephemeral = await desk.fake.waitFor('chat.postEphemeral', (c) => c.body.user === bob.id && c.body.thread_ts === original.ts);
    const value = optionValue(ephemeral.body.blocks, 'IT question');
    await desk.post(interactionBody(blockActions({ user: bob, channel: { id: GENERAL }, message: { ts: (ephemeral.response as { message_ts: string }).message_ts }, actions: [{ type: 'static_select', action_id: 'pick_type', selected: { value, text: 'IT question' } }] })));
    const reply = await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === GENERAL && c.body.thread_ts === original.ts);
    const key = /IT-\d+/.exec(textOf(reply.body.blocks))![0];
    const [created] = await desk.timeline(key);
    expect(created).toMatchObject({ actor: { email: ada.email }, body: 'Wifi on floor 2 drops every hour' });

    // Another reaction on the same message files nothing new.
    await desk.post(eventCallback({ type: 'reaction_added', user: cyd.id, reaction: 'ticket', item: { type: 'message', channel: GENERAL, ts: original.ts }, item_user: ada.id }));
    const note = await desk.fake.waitFor('chat.postEphemeral', (c) => c.body.user === cyd.id);
    expect(String(note.body.text)).toContain(key);
    await desk.fake.waitFor('chat.postMessage', (c) => c.body.channel === IT_TRIAGE && textOf(c.body.blocks).includes(`*${key}*`));
    await desk.drain();
    expect(callsIn(desk.fake, 'chat.postMessage', IT_TRIAGE).filter((c) => textOf(c.body.blocks).includes(`*${key}*`)).length).toBe(1);
  });
});
