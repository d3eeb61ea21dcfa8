import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CoreError } from '../core/errors.ts';
import { isDatabaseUnavailable } from '../db/availability.ts';
import { logger } from '../logger.ts';
import { databaseUnavailable } from './unavailable.ts';
import { findBadText } from './input.ts';

const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  not_found: 404,
  conflict: 409,
  invalid: 400,
  forbidden: 403,
};

/** The vocabulary for HTTP-level refusals (README, "Errors"). */
const HTTP_CODES: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
};

export function apiError(c: Context, status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
  return c.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
}

/** zod-openapi's validation hook: 400 naming the failing path. */
export function validationHook(
  result: { success: true; data?: unknown; target?: string } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> }; target?: string },
  c: Context,
) {
  if (result.success) {
    // One check for every string that reached zod's result (body, query, path, headers).
    const bad = findBadText(result.data);
    return bad ? apiError(c, 400, 'invalid_request', `${bad.path}: ${bad.message}`, [bad]) : undefined;
  }
  const details = result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
  const first = details[0]!;
  return apiError(c, 400, 'invalid_request', `${first.path}: ${first.message}`, details);
}

/** The one place errors become HTTP answers. */
export function onApiError(error: Error, c: Context) {
  if (error instanceof CoreError) {
    // Core's Invalid and zod's refusals are one code for clients: invalid_request.
    return apiError(c, STATUS_BY_CODE[error.code] ?? 400, error.code === 'invalid' ? 'invalid_request' : error.code, error.message, error.details);
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = status === 400 && /JSON/i.test(error.message) ? `malformed JSON body: ${error.message}` : error.message || 'bad request';
    return apiError(c, status, HTTP_CODES[status] ?? 'http_error', message);
  }
  // The database is away (refused, restarting, timed out): 503 + Retry-After, not a 500.
  if (isDatabaseUnavailable(error)) return databaseUnavailable(c, error);
  logger.error({ err: error, path: c.req.path }, 'unhandled error');
  return apiError(c, 500, 'internal', 'something went wrong on our side; it has been logged');
}
