import { z } from 'zod';

/**
 * The rules every door applies to a new request's own inputs (the API's JSON body and the web
 * form alike), so that "title too long" means the same thing wherever it is typed.
 */
export const titleRule = z.string().trim().min(1).max(200);
export const descriptionRule = z.string().max(20_000);
export const personRefRule = z.object({ email: z.email(), name: z.string().trim().min(1).max(200).optional() });

/** Title, description and requester of a new request. */
export const requestBaseRules = z.object({ title: titleRule, description: descriptionRule.optional(), requester: personRefRule });
