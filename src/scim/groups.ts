import { randomUUID } from 'node:crypto';
import { and, eq, inArray, ne } from 'drizzle-orm';
import type { Conn, Db } from '../db/client.ts';
import { directoryGroupMembers, directoryGroups, people } from '../db/schema.ts';
import { ScimError } from './errors.ts';
import { firstIssue, GROUP_SCHEMA, groupInputSchema, type GroupInput } from './schemas.ts';

type GroupRow = typeof directoryGroups.$inferSelect;

export function parseGroup(body: unknown): GroupInput {
  const parsed = groupInputSchema.safeParse(body);
  if (!parsed.success) throw new ScimError(400, firstIssue(parsed.error), 'invalidValue');
  return parsed.data;
}

export async function findGroup(conn: Conn, id: string): Promise<GroupRow> {
  const [row] = await conn.select().from(directoryGroups).where(eq(directoryGroups.id, id));
  if (!row) throw new ScimError(404, `no group ${id}`);
  return row;
}

/** Members as SCIM references: `{value: <user id>, display}`. */
export async function membersOf(conn: Conn, groupIds: string[]): Promise<Map<string, Array<{ value: string; display: string }>>> {
  const out = new Map<string, Array<{ value: string; display: string }>>(groupIds.map((id) => [id, []]));
  if (!groupIds.length) return out;
  const rows = await conn
    .select({ groupId: directoryGroupMembers.groupId, scimId: people.scimId, name: people.name, email: people.email })
    .from(directoryGroupMembers)
    .innerJoin(people, eq(people.id, directoryGroupMembers.personId))
    .where(inArray(directoryGroupMembers.groupId, groupIds))
    .orderBy(people.id);
  for (const row of rows) if (row.scimId) out.get(row.groupId)?.push({ value: row.scimId, display: row.name ?? row.email });
  return out;
}

export function groupResource(group: GroupRow, members: Array<{ value: string; display: string }> | null, baseUrl: string): Record<string, unknown> {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    ...(members ? { members: members.map((m) => ({ ...m, $ref: `${baseUrl}/Users/${m.value}` })) } : {}),
    meta: { resourceType: 'Group', created: group.createdAt.toISOString(), lastModified: group.updatedAt.toISOString(), location: `${baseUrl}/Groups/${group.id}` },
  };
}

/** Create (existing undefined) or replace a group and its whole membership. */
export async function writeGroup(db: Db, input: GroupInput, existing: GroupRow | undefined, now: Date): Promise<GroupRow> {
  return db.transaction(async (tx) => {
    const [clash] = await tx
      .select({ id: directoryGroups.id })
      .from(directoryGroups)
      .where(and(eq(directoryGroups.displayName, input.displayName), existing ? ne(directoryGroups.id, existing.id) : undefined));
    if (clash) throw new ScimError(409, `a group named ${input.displayName} exists`, 'uniqueness');
    const wanted = [...new Set((input.members ?? []).map((m) => m.value))];
    const found = wanted.length ? await tx.select({ id: people.id, scimId: people.scimId }).from(people).where(inArray(people.scimId, wanted)) : [];
    const missing = wanted.filter((id) => !found.some((f) => f.scimId === id));
    if (missing.length) throw new ScimError(400, `no user ${missing[0]} to make a member`, 'invalidValue');
    const values = { displayName: input.displayName, externalId: input.externalId ?? null, updatedAt: now };
    const [group] = existing
      ? await tx.update(directoryGroups).set(values).where(eq(directoryGroups.id, existing.id)).returning()
      : await tx
          .insert(directoryGroups)
          .values({ ...values, id: randomUUID(), createdAt: now })
          .returning();
    await tx.delete(directoryGroupMembers).where(eq(directoryGroupMembers.groupId, group!.id));
    if (found.length) await tx.insert(directoryGroupMembers).values(found.map((f) => ({ groupId: group!.id, personId: f.id })));
    return group!;
  });
}

export async function removeGroup(db: Db, id: string): Promise<void> {
  const rows = await db.delete(directoryGroups).where(eq(directoryGroups.id, id)).returning({ id: directoryGroups.id });
  if (!rows.length) throw new ScimError(404, `no group ${id}`);
}
