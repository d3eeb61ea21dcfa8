import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.ts';
import { webhookSubscriptions, type WebhookSubscription } from '../db/schema.ts';
import { NotFound } from './errors.ts';

export const webhookInputSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  events: z.array(z.string().min(1)).default([]),
  includeInternal: z.boolean().default(true),
  /** Standard Webhooks secret (whsec_ + base64); generated when omitted. */
  secret: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be whsec_ followed by base64')
    .optional(),
});
export type WebhookInput = z.infer<typeof webhookInputSchema>;

export function webhookView(sub: WebhookSubscription, options: { withSecret: boolean }) {
  return {
    id: sub.id,
    url: sub.url,
    events: sub.events as string[],
    includeInternal: sub.includeInternal,
    active: sub.active,
    createdAt: sub.createdAt.toISOString(),
    ...(options.withSecret ? { secret: sub.secret } : {}),
  };
}

export async function createWebhook(db: Db, input: WebhookInput): Promise<WebhookSubscription> {
  const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64')}`;
  const [row] = await db
    .insert(webhookSubscriptions)
    .values({ url: input.url, events: input.events, includeInternal: input.includeInternal, secret })
    .returning();
  return row!;
}

export async function listWebhooks(db: Db): Promise<WebhookSubscription[]> {
  return db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.active, true)).orderBy(webhookSubscriptions.id);
}

export async function deleteWebhook(db: Db, id: number): Promise<void> {
  const rows = await db.update(webhookSubscriptions).set({ active: false }).where(eq(webhookSubscriptions.id, id)).returning();
  if (!rows.length) throw new NotFound(`no webhook subscription ${id}`);
}
