import { describe, expect, it } from 'vitest';
import { teamsPersonalMessage } from '../../fakes/teams/activities.ts';
import { chainReply, deleted, edited, nextId } from './activities.ts';
import { ada, bob, deskForSuite, eventually, personalChat, textOf, ticketWithBothCards, timeline as timelineOf } from './harness.ts';

describe('Teams edits and deletes of a mirrored message: recorded against the original comment, never a second comment', () => {
  const desk = deskForSuite({ installedFor: [ada] });
  const ticketWithChain = (title: string) => ticketWithBothCards(desk, title);
  const timeline = (key: string) => timelineOf(desk, key);

  it("the requester edits then deletes her reply: the chain reads 'edited' and 'removed', the timeline keeps one comment", async () => {
    const { connector } = desk;
    const { key, threadId, requesterCardId } = await ticketWithChain('Wifi drops every hour');
    const reply = { ...teamsPersonalMessage({ serviceUrl: connector.url, text: 'It drops at 10:00' }), id: nextId(), replyToId: requesterCardId };
    await desk.post(reply);
    await connector.waitFor((c) => c.conversationId === threadId && textOf(c).includes('It drops at 10:00'), 5_000);
    const comment = (await timeline(key)).find((e) => e.type === 'comment')!;
    expect(comment.data).toMatchObject({ teamsActivityId: reply.id, teamsConversationId: personalChat });

    const edit = edited(reply, 'It drops at 11:00 & noon, <at>Bob Agent</at> sorry');
    expect((await desk.post(edit)).status).toBe(200);
    await connector.waitFor((c) => c.conversationId === threadId && textOf(c).includes(`${ada.name} edited a message: It drops at 11:00 &amp; noon,  sorry`), 5_000);
    // Teams redelivers the same edit: nothing new.
    await desk.post(edit);

    await desk.post(deleted(reply));
    await connector.waitFor((c) => c.conversationId === threadId && textOf(c).includes(`${ada.name} removed a message`), 5_000);

    const events = await timeline(key);
    expect(events.filter((e) => e.type.startsWith('comment'))).toEqual([
      expect.objectContaining({ type: 'comment', visibility: 'public', body: 'It drops at 10:00' }),
      expect.objectContaining({ type: 'comment_edited', visibility: 'public', body: 'It drops at 11:00 & noon,  sorry', data: expect.objectContaining({ originalEventId: comment.id }), actor: expect.objectContaining({ email: ada.email }) }),
      expect.objectContaining({ type: 'comment_removed', visibility: 'public', data: expect.objectContaining({ originalEventId: comment.id }) }),
    ]);
    // Her own chat is not told about her own edit (her card is refreshed instead).
    expect(connector.calls.some((c) => c.conversationId === personalChat && /edited a message|removed a message/.test(textOf(c)))).toBe(false);
  });

  it("an agent edits and deletes a note in the chain: internal edit and removal events, the requester hears nothing", async () => {
    const { connector } = desk;
    const { key, threadId } = await ticketWithChain('Laptop fan is loud');
    const note = chainReply(connector.url, threadId, 'Probably dust', bob);
    await desk.post(note);
    const original = await eventually(async () => (await timeline(key)).find((e) => e.type === 'comment'));
    expect(original).toMatchObject({ visibility: 'internal', data: expect.objectContaining({ teamsActivityId: note.id, teamsConversationId: threadId }) });

    await desk.post(edited(note, 'Probably dust, or the fan bearing'));
    await desk.post(edited(note, 'Fan bearing, replacement ordered'));
    await desk.post(deleted(note));
    await desk.post(deleted(note));
    const events = await eventually(async () => {
      const items = (await timeline(key)).filter((e) => e.type.startsWith('comment'));
      return items.some((e) => e.type === 'comment_removed') ? items : undefined;
    });
    expect(events.map((e) => [e.type, e.visibility, e.body])).toEqual([
      ['comment', 'internal', 'Probably dust'],
      ['comment_edited', 'internal', 'Probably dust, or the fan bearing'],
      ['comment_edited', 'internal', 'Fan bearing, replacement ordered'],
      ['comment_removed', 'internal', ''],
    ]);
    expect(events.slice(1).every((e) => e.data.originalEventId === original.id && e.actor?.email === bob.email)).toBe(true);
    expect(connector.calls.some((c) => c.conversationId === personalChat && /dust|bearing|removed a message/.test(textOf(c)))).toBe(false);
  });

  it('an edit of a message that never became a comment is ignored', async () => {
    const { key, threadId } = await ticketWithChain('Printer jam');
    const unrelated = chainReply(desk.connector.url, `${threadId.split(';')[0]};messageid=${nextId()}`, 'Lunch at noon?', bob);
    expect((await desk.post(edited(unrelated, 'Lunch at one?'))).status).toBe(200);
    expect((await desk.post(deleted(unrelated))).status).toBe(200);
    expect((await timeline(key)).filter((e) => e.type.startsWith('comment'))).toEqual([]);
  });
});
