import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 §3.12 scimType values we use. */
export type ScimType = 'invalidFilter' | 'invalidSyntax' | 'invalidValue' | 'invalidPath' | 'noTarget' | 'uniqueness' | 'mutability' | 'tooMany';

/** A SCIM error: the HTTP status, and for 400/409 the scimType the RFC names. */
export class ScimError extends Error {
  override name = 'ScimError';
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly scimType?: ScimType,
  ) {
    super(message);
  }
}

/** A SCIM JSON answer with the SCIM media type. */
export function scimJson(c: Context, body: unknown, status: ContentfulStatusCode = 200): Response {
  return c.body(JSON.stringify(body), status, { 'content-type': SCIM_CONTENT_TYPE });
}

/** RFC 7644 §3.12: `status` is a string; `scimType` only when one applies. */
export function scimErrorResponse(c: Context, error: ScimError): Response {
  return scimJson(c, { schemas: [ERROR_SCHEMA], status: String(error.status), ...(error.scimType ? { scimType: error.scimType } : {}), detail: error.message }, error.status);
}
