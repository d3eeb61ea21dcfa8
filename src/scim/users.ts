import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Conn, Db } from '../db/client.ts';
import { directoryGroupMembers, people, type Person } from '../db/schema.ts';
import { ENTERPRISE, USER_SCHEMA, userInputSchema, firstIssue, type UserInput } from './schemas.ts';
import { ScimError } from './errors.ts';

const emailSchema = z.email();

/** A directory user as we store it: what the provider sent, minus id/meta/schemas, booleans normalised. */
export type StoredUser = UserInput & { active: boolean };

/** Validate a User body (POST/PUT, or the result of a PATCH). */
export function parseUser(body: unknown): StoredUser {
  const parsed = userInputSchema.safeParse(body);
  if (!parsed.success) throw new ScimError(400, firstIssue(parsed.error), 'invalidValue');
  // A password (Okta sends one) is never kept: Switchboard signs people in through OIDC or one-time links.
  const { id: _id, meta: _meta, schemas: _schemas, password: _password, ...rest } = parsed.data as Record<string, unknown>;
  return { ...(rest as UserInput), active: parsed.data.active ?? true };
}

/** The person's email: the primary email, else the work one, else the first, else userName when it is an address. */
export function emailOf(user: StoredUser): string {
  const emails = user.emails ?? [];
  const chosen = emails.find((e) => e.primary === true) ?? emails.find((e) => e.type === 'work') ?? emails[0];
  const candidate = (chosen?.value ?? user.userName).trim().toLowerCase();
  if (!emailSchema.safeParse(candidate).success) throw new ScimError(400, 'the user needs an email address (emails[].value, or a userName that is one)', 'invalidValue');
  return candidate;
}

function nameOf(user: StoredUser): string | null {
  const given = [user.name?.givenName, user.name?.familyName].filter(Boolean).join(' ');
  return user.displayName || user.name?.formatted || given || null;
}

/** The User resource for a person (RFC 7643 §4.1 and the enterprise extension). */
export function userResource(person: Person, baseUrl: string, managerScimId: string | null): Record<string, unknown> {
  const stored = (person.scim ?? {}) as StoredUser;
  const enterprise = { ...(stored[ENTERPRISE] ?? {}) } as Record<string, unknown>;
  if (person.department !== null) enterprise.department = person.department;
  const managerValue = managerScimId ?? (enterprise.manager as { value?: string } | undefined)?.value ?? null;
  if (managerValue) enterprise.manager = { value: managerValue, $ref: `${baseUrl}/Users/${managerValue}` };
  else delete enterprise.manager;
  const hasEnterprise = Object.keys(enterprise).length > 0;
  return {
    ...stored,
    schemas: hasEnterprise ? [USER_SCHEMA, ENTERPRISE] : [USER_SCHEMA],
    id: person.scimId,
    ...(person.externalId ? { externalId: person.externalId } : {}),
    userName: stored.userName ?? person.email,
    active: person.active,
    ...(hasEnterprise ? { [ENTERPRISE]: enterprise } : {}),
    meta: { resourceType: 'User', created: person.createdAt.toISOString(), lastModified: person.updatedAt.toISOString(), location: `${baseUrl}/Users/${person.scimId}` },
  };
}

export async function managerScimIdOf(conn: Conn, person: Person): Promise<string | null> {
  if (person.managerId === null) return null;
  const [row] = await conn.select({ scimId: people.scimId }).from(people).where(eq(people.id, person.managerId));
  return row?.scimId ?? null;
}

export async function findUser(conn: Conn, scimId: string): Promise<Person> {
  const [row] = await conn.select().from(people).where(eq(people.scimId, scimId));
  if (!row) throw new ScimError(404, `no user ${scimId}`);
  return row;
}

/**
 * Create (existing = undefined) or replace a directory user. A person already known from
 * Slack, Teams or email (same address) is taken over, not duplicated; an address or userName
 * another directory user holds is a 409 uniqueness error.
 */
export async function writeUser(db: Db, user: StoredUser, existing: Person | undefined, now: Date): Promise<Person> {
  const email = emailOf(user);
  return db.transaction(async (tx) => {
    const sameUserName = await tx
      .select({ id: people.id })
      .from(people)
      .where(and(isNotNull(people.scimId), sql`lower(${people.scim}->>'userName') = ${user.userName.toLowerCase()}`, existing ? ne(people.id, existing.id) : undefined));
    if (sameUserName.length) throw new ScimError(409, `userName ${user.userName} is already provisioned`, 'uniqueness');
    const [byEmail] = await tx.select().from(people).where(eq(people.email, email));
    if (byEmail && byEmail.id !== existing?.id && (existing || byEmail.scimId !== null)) {
      throw new ScimError(409, `${email} belongs to another user`, 'uniqueness');
    }
    const enterprise = user[ENTERPRISE];
    const managerValue = enterprise?.manager?.value ?? null;
    const [manager] = managerValue ? await tx.select({ id: people.id }).from(people).where(eq(people.scimId, managerValue)) : [];
    const columns = {
      email,
      name: nameOf(user),
      active: user.active,
      department: enterprise?.department ?? null,
      managerId: manager?.id ?? null,
      externalId: user.externalId ?? null,
      scim: user,
      updatedAt: now,
    };
    const target = existing ?? byEmail;
    let person: Person;
    if (target) {
      [person] = (await tx
        .update(people)
        .set({ ...columns, scimId: target.scimId ?? randomUUID() })
        .where(eq(people.id, target.id))
        .returning()) as [Person];
    } else {
      [person] = (await tx
        .insert(people)
        .values({ ...columns, scimId: randomUUID(), createdAt: now })
        .returning()) as [Person];
    }
    // Reports provisioned before their manager: link them now that the manager exists.
    await tx
      .update(people)
      .set({ managerId: person.id })
      .where(and(sql`${people.scim}->${ENTERPRISE}->'manager'->>'value' = ${person.scimId}`, sql`${people.managerId} is distinct from ${person.id}`));
    return person;
  });
}

/** DELETE: the person stays (tickets name them) but is deactivated and leaves the directory. */
export async function removeUser(db: Db, person: Person, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(directoryGroupMembers).where(eq(directoryGroupMembers.personId, person.id));
    await tx.update(people).set({ active: false, scimId: null, updatedAt: now }).where(eq(people.id, person.id));
  });
}
