import type { Context, Hono } from 'hono';
import { Invalid, NotFound } from '../../core/errors.ts';
import { createTicket } from '../../core/tickets.ts';
import { formMessage, labelsOf, requestForm } from '../../present/forms.ts';
import { expectedTimes } from './catalog-view-model.ts';
import { fieldInputName, readPostedForm, validateRequestForm, type FieldErrors, type PostedValues } from './form-values.ts';
import { pathOf, render, type WebContext } from './render.tsx';
import { NotFoundPage, UnreadableFormPage } from './views/notices.tsx';
import { RequestFormPage } from './views/request-form.tsx';
import { SLUG_PATTERN } from '../../knowledge/articles.ts';
import { recordFeedback } from '../../knowledge/feedback.ts';
import { searchKnowledge, type KnowledgeHit } from '../../knowledge/search.ts';

/** GET/POST /new/:type — the request form, validated with the API's schemas. */
export function requestFormRoutes(app: Hono, web: WebContext): void {
  const { catalog } = web.deps;

  const show = (c: Context, typeKey: string, options: { values?: PostedValues; errors?: FieldErrors; token?: string; notice?: string; status?: 200 | 400 | 403; suggestions?: KnowledgeHit[] }) => {
    const type = catalog.request_types[typeKey]!;
    return render(
      c,
      <RequestFormPage
        form={requestForm(catalog, typeKey)!}
        expected={expectedTimes(type)}
        token={options.token ?? web.tokens.issue(c)}
        values={options.values ?? {}}
        errors={options.errors ?? {}}
        notice={options.notice}
        suggestions={options.suggestions}
      />,
      options.status ?? 200,
    );
  };

  const unknownType = (c: Context, typeKey: string) => render(c, <NotFoundPage what={`There is no request type called “${typeKey}”.`} />, 404);

  app.get('/new/:type', (c) => {
    const typeKey = c.req.param('type');
    if (!Object.hasOwn(catalog.request_types, typeKey)) return unknownType(c, typeKey);
    return show(c, typeKey, {});
  });

  app.post('/new/:type', async (c) => {
    const typeKey = c.req.param('type');
    if (!Object.hasOwn(catalog.request_types, typeKey)) return unknownType(c, typeKey);
    const type = catalog.request_types[typeKey]!;
    const values = await readPostedForm(c);
    if (!values) return render(c, <UnreadableFormPage />, 400);
    const token = web.tokens.check(c, values.token);
    if (!token.ok) {
      return show(c, typeKey, { values, status: 403, notice: 'This form had expired, so nothing was sent. Check your answers and send it again.' });
    }
    if (values.intent === 'check') {
      // "Check for answers" (the no-JavaScript way to see suggestions): nothing is filed.
      const query = `${values.title ?? ''} ${values.description ?? ''}`.trim();
      const suggestions = query ? await searchKnowledge(web.core.db, { q: query, type: typeKey, limit: 3 }) : [];
      await recordFeedback(web.core.db, suggestions.map((hit) => ({ slug: hit.slug, channel: 'web', event: 'shown' as const, email: values.requester_email, query, dedupeKey: `web:${values.token}:${hit.slug}:shown` })));
      const shown = [...new Set([...(values.shown ?? '').split(','), ...suggestions.map((hit) => hit.slug)].filter((slug) => SLUG_PATTERN.test(slug)))].join(',');
      return show(c, typeKey, { values: { ...values, shown }, token: values.token, suggestions });
    }
    const checked = validateRequestForm(type.fields, values);
    if (!checked.ok) return show(c, typeKey, { values, errors: checked.errors, token: values.token, status: 400 });

    try {
      const { ticket } = await createTicket(web.core, { type: typeKey, ...checked.value, channel: 'web', idempotencyKey: token.idempotencyKey });
      // Filed although articles were suggested to this form: they did not answer it.
      const shown = (values.shown ?? '').split(',').filter((slug) => SLUG_PATTERN.test(slug)).slice(0, 10);
      await recordFeedback(web.core.db, shown.map((slug) => ({ slug, channel: 'web', event: 'filed' as const, email: ticket.requester.email, query: ticket.title, dedupeKey: `web:${values.token}:${slug}:filed` })));
      return c.redirect(pathOf(web.deps.links.url(ticket.key, ticket.requester.email, { now: web.core.now() })), 303);
    } catch (error) {
      if (error instanceof NotFound) return unknownType(c, typeKey);
      if (error instanceof Invalid) {
        return show(c, typeKey, { values, errors: coreErrors(error, labelsOf(requestForm(catalog, typeKey)!)), token: values.token, status: 400, notice: error.details ? undefined : error.message });
      }
      throw error;
    }
  });
}

/** Core's Invalid details ("fields.model": "is required") mapped back onto form inputs. */
function coreErrors(error: Invalid, labels: ReadonlyMap<string, string>): FieldErrors {
  const errors: FieldErrors = {};
  const details = Array.isArray(error.details) ? (error.details as Array<{ path?: unknown; message?: unknown }>) : [];
  for (const detail of details) {
    const path = String(detail.path ?? '');
    const id = path.startsWith('fields.') ? path.slice('fields.'.length) : path;
    const name = path.startsWith('fields.') ? fieldInputName(id) : path;
    errors[name] = formMessage(labels.get(id) ?? id, String(detail.message ?? 'is not valid'));
  }
  return errors;
}
