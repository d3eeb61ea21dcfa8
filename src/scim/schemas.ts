import { z } from 'zod';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Entra ID sends booleans as the strings "True"/"False" in PATCH; accept both spellings. */
export const boolish = z.union([z.boolean(), z.string().regex(/^(true|false)$/i, 'must be true or false').transform((v) => v.toLowerCase() === 'true')]);

const text = (max: number) => z.string().max(max);

/** The enterprise extension; `manager` is `{value: <id of another SCIM user>}` (Entra may send the bare id). */
export const enterpriseSchema = z
  .looseObject({
    department: text(500).nullish(),
    manager: z.union([z.string().max(200).transform((value) => ({ value })), z.looseObject({ value: text(200).nullish() })]).nullish(),
  })
  .nullish();

/** A User as Entra ID and Okta send it (RFC 7643 §4.1): unknown attributes are kept as sent. */
export const userInputSchema = z.looseObject({
  userName: z.string().trim().min(1, 'userName is required').max(320),
  externalId: text(500).nullish(),
  displayName: text(500).nullish(),
  name: z.looseObject({ formatted: text(500).nullish(), givenName: text(200).nullish(), familyName: text(200).nullish() }).nullish(),
  emails: z.array(z.looseObject({ value: text(320), type: text(50).nullish(), primary: boolish.nullish() })).max(20).nullish(),
  active: boolish.optional(),
  [ENTERPRISE]: enterpriseSchema,
});
export type UserInput = z.infer<typeof userInputSchema>;

export const groupInputSchema = z.looseObject({
  displayName: z.string().trim().min(1, 'displayName is required').max(500),
  externalId: text(500).nullish(),
  members: z.array(z.looseObject({ value: text(200) })).max(10_000).nullish(),
});
export type GroupInput = z.infer<typeof groupInputSchema>;

/** RFC 7644 §3.5.2. `op` is case-insensitive in practice (Entra sends "Replace", "Add"). */
export const patchSchema = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(PATCH_SCHEMA), `schemas must include ${PATCH_SCHEMA}`),
  Operations: z
    .array(
      z.looseObject({
        op: z.string().transform((op) => op.toLowerCase()).pipe(z.enum(['add', 'replace', 'remove'], { error: 'op must be add, replace or remove' })),
        path: z.string().max(500).optional(),
        value: z.unknown().optional(),
      }),
    )
    .min(1)
    .max(1_000),
});

/** The first zod issue as one line ("emails.0.value: Invalid input"). */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`;
}
