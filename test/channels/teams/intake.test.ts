import { afterEach, describe, expect, it } from 'vitest';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { installed, messageAction, personalSubmit } from './activities.ts';
import { ada, bob, cardOf, cardText, deskForSuite, personalChat, ticketCount as countTickets, triageChannel } from './harness.ts';

describe('Teams intake', () => {
  const desk = deskForSuite();
  afterEach(() => {
    desk.connector.calls.length = 0;
  });

  const ticketCount = () => countTickets(desk);

  it('a message to the bot gets a type picker, then the form, validation in place, and files one ticket with a triage chain and a requester card', async () => {
    const { connector } = desk;
    const text = 'My laptop screen flickers\nsince yesterday, **badly**';
    expect((await desk.post(teamsPersonalMessage({ serviceUrl: connector.url, text }))).status).toBe(200);

    const picker = await connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === personalChat);
    const pickerCard = cardOf(picker.body);
    expect(JSON.stringify(pickerCard)).toContain('"id":"type"');
    expect(cardText(pickerCard)).toContain('New laptop');
    const pickerId = (picker.response as { id: string }).id;

    // Picking a type swaps the picker for that type's form, prefilled from the message.
    await desk.post(personalSubmit(connector.url, { sb: 'pick', text, type: 'laptop' }, pickerId));
    const form = cardOf((await connector.waitFor((c) => c.route === 'updateActivity' && c.activityId === pickerId)).body)!;
    const inputs = (form.body as Array<Record<string, unknown>>).filter((e) => String(e.type).startsWith('Input.'));
    expect(inputs.find((i) => i.id === 'title')).toMatchObject({ value: 'My laptop screen flickers', isRequired: true });
    expect(inputs.find((i) => i.id === 'f_model')).toMatchObject({ type: 'Input.ChoiceSet', isRequired: true, errorMessage: expect.any(String) });
    expect(inputs.find((i) => i.id === 'f_needed_by')).toMatchObject({ type: 'Input.Date' });
    expect(inputs.find((i) => i.id === 'f_for_new_hire')).toMatchObject({ type: 'Input.Toggle' });

    // A form without the required model comes back with the message, in place.
    connector.calls.length = 0;
    const submitted = { sb: 'file', type: 'laptop', title: 'My laptop screen flickers', description: text, f_model: '', f_for_new_hire: 'false' };
    await desk.post(personalSubmit(connector.url, submitted, pickerId));
    const refused = await connector.waitFor((c) => c.route === 'updateActivity');
    expect(cardText(cardOf(refused.body))).toContain('Model is required');
    expect(await ticketCount()).toBe(0);

    // The complete form files the ticket; the form turns into a confirmation.
    const filing = personalSubmit(connector.url, { ...submitted, f_model: '15-inch' }, pickerId);
    expect((await desk.post(filing)).status).toBe(200);
    const filed = await connector.waitFor((c) => c.route === 'updateActivity' && cardText(cardOf(c.body)).includes('Filed IT-1'));
    expect(filed.activityId).toBe(pickerId);

    // The triage channel gets a new reply chain whose root is the ticket's card.
    const chain = await connector.waitFor((c) => c.route === 'createConversation', 5_000);
    expect(chain.body).toMatchObject({ isGroup: true, channelData: { channel: { id: triageChannel } } });
    const triage = cardText(cardOf((chain.body as { activity?: unknown }).activity));
    for (const expected of ['IT-1', 'My laptop screen flickers', 'New laptop', 'Ada Lovelace', 'P3', 'Model', '15-inch', 'Claim', 'Assign', 'Status', 'Priority', 'Reply to requester', 'SLA']) {
      expect(triage).toContain(expected);
    }
    // The card says why its SLA due time is what it is.
    expect(triage).toMatch(/Why: \s*Due \w{3} \d{2}:\d{2} [\w/]+: \d+ (business )?(hours|minutes) from/);
    // The requester's chat gets the smaller card.
    const mine = await connector.waitFor((c) => c.route === 'replyToActivity' && c.conversationId === personalChat && cardText(cardOf(c.body)).includes('View request'), 5_000);
    expect(cardText(cardOf(mine.body))).toContain('IT-1');

    const ticket = (await (await desk.api('GET', '/tickets/IT-1')).json()) as Record<string, unknown>;
    expect(ticket).toMatchObject({ type: 'laptop', origin: 'teams', requester: { email: ada.email }, fields: { model: '15-inch', for_new_hire: false } });

    // Teams redelivers the same submit: nothing new.
    expect((await desk.post(filing)).status).toBe(200);
    expect(await ticketCount()).toBe(1);
  });

  it('"Create request" on a message opens a task module prefilled from it, and submitting files the ticket', async () => {
    const { connector } = desk;
    const messageText = 'Can someone give me write access to the Finance share?';
    const fetched = await desk.post(messageAction(connector.url, 'composeExtension/fetchTask', { commandId: 'createRequest', messageText }, bob));
    expect(fetched.status).toBe(200);
    const task = (await fetched.json()) as { task: { type: string; value: { card: { contentType: string; content: unknown } } } };
    expect(task.task.type).toBe('continue');
    expect(task.task.value.card.contentType).toBe('application/vnd.microsoft.card.adaptive');

    const picked = await desk.post(messageAction(connector.url, 'composeExtension/submitAction', { commandId: 'createRequest', messageText, data: { sb: 'pick', type: 'system-access', text: messageText } }, bob));
    const formTask = (await picked.json()) as { task: { type: string; value: { card: { content: { body: Array<Record<string, unknown>> } } } } };
    expect(formTask.task.type).toBe('continue');
    expect(formTask.task.value.card.content.body.find((e) => e.id === 'description')).toMatchObject({ value: messageText });

    const data = { sb: 'file', type: 'system-access', title: 'Finance share access', description: messageText, f_system: 'Finance share', f_role: 'write', f_manager_email: 'Carol@Example.test' };
    const filed = await desk.post(messageAction(connector.url, 'composeExtension/submitAction', { commandId: 'createRequest', messageText, data }, bob));
    expect(await filed.json()).toEqual({ task: { type: 'message', value: expect.stringMatching(/^Filed IT-\d+: Finance share access$/) } });
    const list = (await (await desk.api('GET', '/tickets?q=Finance')).json()) as { items: Array<Record<string, unknown>> };
    expect(list.items).toEqual([expect.objectContaining({ requester: expect.objectContaining({ email: bob.email }), fields: { system: 'Finance share', role: 'write', manager_email: 'carol@example.test' } })]);
  });

  it('installing the app remembers the person, so a ticket filed for them elsewhere reaches their Teams chat', async () => {
    const { connector } = desk;
    const carol = { id: '29:fake-user-carol', aadObjectId: 'ca201000-0000-4000-8000-000000000003', name: 'Carol Reyes', email: 'carol.reyes@example.test' };
    connector.addMember(carol);
    expect((await desk.post(installed(connector.url, carol))).status).toBe(200);
    await connector.waitFor((c) => c.route === 'replyToActivity' && String((c.body as { text?: string }).text).startsWith('Hi!'));

    const created = await desk.api('POST', '/tickets', { type: 'password-reset', title: 'Locked out of VPN', requester: { email: carol.email }, fields: { account: 'VPN' } });
    expect(created.status).toBe(201);
    const card = await connector.waitFor((c) => c.route === 'replyToActivity' && cardText(cardOf(c.body)).includes('Locked out of VPN'), 5_000);
    expect(card.conversationId).toBe(personalChat);
    expect((card.body as { recipient?: { id: string } }).recipient?.id).toBe(carol.id);
    await connector.waitFor((c) => c.route === 'createConversation' && cardText(cardOf((c.body as { activity?: unknown }).activity)).includes('Locked out of VPN'), 5_000);
  });
});
