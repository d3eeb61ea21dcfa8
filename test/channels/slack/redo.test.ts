import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inboundEvents } from '../../../src/db/schema.ts';
import { eventCallback } from '../../fakes/slack/index.ts';
import { ada, slackDeskForSuite } from './harness.ts';

/**
 * Slack has its 200 before the work of an Events API event runs, so it never redelivers an
 * event whose work failed, or whose process stopped after the 200. The claim keeps the event
 * until its work is done, and a sweep redoes it.
 */
const desk = slackDeskForSuite({}, { redo: { intervalMs: 100, baseDelayMs: 200, maxDelayMs: 400, maxRedos: 3 } });

const pickersFor = (ts: string) => desk.fake.callsTo('chat.postMessage').filter((c) => c.body.thread_ts === ts);
const keptRow = async (eventId: string) => (await desk.sb.database.db.select().from(inboundEvents).where(eq(inboundEvents.key, `slack:event:${eventId}`)))[0];

describe('Slack event work that fails after the ack is redone, not lost', () => {
  it('a DM whose type picker Slack refused once (chat.postMessage internal_error) gets its picker from the redo', async () => {
    const dm = `D${ada.id}`;
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'My badge stopped opening the door' });
    desk.fake.failNext('chat.postMessage', { error: 'internal_error' });
    const response = await desk.say({ channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts }, 'Ev0REDO00001');
    expect(response.status).toBe(200);
    // The first attempt failed; the redo posts the picker, once.
    await desk.until(async () => (await keptRow('Ev0REDO00001'))?.doneAt, 'the event marked done after its redo');
    const row = (await keptRow('Ev0REDO00001'))!;
    expect(row.attempts).toBe(1);
    expect(row.body).toBeNull();
    const answered = pickersFor(message.ts);
    expect(answered.length).toBe(2); // the refused call and the redo's
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pickersFor(message.ts).length).toBe(2);
  });

  it('an event a stopped process claimed (200 sent) but never worked on is done by the sweep once its lease runs out', async () => {
    const dm = `D${ada.id}`;
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'The meeting room screen is dark' });
    const body = eventCallback({ type: 'message', channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts }, { eventId: 'Ev0REDO00002' });
    // What the receiver writes before its 200, with the lease of that first attempt run out: the
    // state a process killed between the ack and the work leaves behind.
    await desk.sb.database.db.insert(inboundEvents).values({ key: 'slack:event:Ev0REDO00002', body, nextAttemptAt: sql`now() - interval '1 second'` });
    await desk.fake.waitFor('chat.postMessage', (c) => c.body.thread_ts === message.ts);
    await desk.until(async () => (await keptRow('Ev0REDO00002'))?.doneAt, 'the event marked done');
    // Slack's own retry of it, arriving later, is still a no-op.
    expect((await desk.post(body, { retryNum: 1 })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(pickersFor(message.ts)).toHaveLength(1);
  });

  it('work that keeps failing is given up after the redos allowed, and kept with its error', async () => {
    const dm = `D${ada.id}`;
    const message = desk.fake.addMessage(dm, { user: ada.id, text: 'Printer on 2 is offline' });
    desk.fake.failNext('chat.postMessage', { error: 'internal_error' }, 10);
    expect((await desk.say({ channel: dm, channel_type: 'im', user: ada.id, text: message.text, ts: message.ts }, 'Ev0REDO00003')).status).toBe(200);
    const row = await desk.until(async () => {
      const r = await keptRow('Ev0REDO00003');
      return r?.doneAt ? r : undefined;
    }, 'the event given up', 10_000);
    expect(row.lastError).toMatch(/gave up after 4 attempts/);
    expect(row.body).not.toBeNull();
    expect(pickersFor(message.ts)).toHaveLength(4); // the first attempt and 3 redos
    
  });
});
