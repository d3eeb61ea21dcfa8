import { describe, expect, it } from 'vitest';
import { readRequestModal, requestModal } from '../../src/channels/slack/modals.ts';
import { requestFormCard } from '../../src/channels/teams/form-cards.ts';
import { readForm } from '../../src/channels/teams/forms.ts';
import { fieldInputName, validateRequestForm } from '../../src/channels/web/form-values.ts';
import { requestForm, typePicker } from '../../src/present/forms.ts';
import { CATALOG, textsOf } from './fixtures.ts';

// The request form from the catalog, once: the same inputs in the same order, and the same
// words for the same mistake on the web page, the Slack modal and the Teams card.

const laptop = CATALOG.request_types.laptop!;

/** The same bad submission on each door: no summary, no model, a model that is not offered. */
function errorsOnEveryDoor(model: string | undefined) {
  const web = validateRequestForm(laptop.fields, { title: '', [fieldInputName('model')]: model ?? '', requester_email: 'ada@example.test' });
  const slackState = {
    type: { request_type: { selected_option: { value: 'laptop' } } },
    title: { value: { value: '' } },
    ...(model ? { 'field:model': { value: { selected_option: { value: model } } } } : {}),
  };
  const slack = readRequestModal(CATALOG, { type: 'laptop' }, slackState);
  const teams = readForm(CATALOG, { type: 'laptop', title: '', ...(model ? { f_model: model } : {}) });
  if (web.ok || 'ok' in slack || !teams || teams.ok) throw new Error('every door should refuse this submission');
  return {
    web: { title: web.errors.title, model: web.errors[fieldInputName('model')] },
    slack: { title: slack.errors.title, model: slack.errors['field:model'] },
    teams: { title: teams.errors.title, model: teams.errors.f_model },
  };
}

describe('the request form on every door', () => {
  it('a missing required field reads the same on the web, in the Slack modal and on the Teams card', () => {
    const errors = errorsOnEveryDoor(undefined);
    expect(errors.web).toEqual({ title: 'Summary is required', model: 'Model is required' });
    expect(errors.slack).toEqual(errors.web);
    expect(errors.teams).toEqual(errors.web);
  });

  it('a value the select does not offer reads the same everywhere too', () => {
    const errors = errorsOnEveryDoor('17-inch');
    expect(errors.web.model).toBe('Model must be one of: 13-inch, 15-inch');
    expect(errors.slack.model).toBe(errors.web.model);
    expect(errors.teams.model).toBe(errors.web.model);
  });

  it('the inputs come in the catalog order with the same labels on Slack and Teams', () => {
    const labels = requestForm(CATALOG, 'laptop')!.inputs.map((i) => i.label);
    expect(labels).toEqual(['Summary', 'Needed by', 'Model', 'For a new hire', 'Details']);
    const slack = requestModal(CATALOG, { type: 'laptop' }).blocks.flatMap((b) => ('label' in b && b.label ? [b.label.text] : [])).filter((l) => l !== 'Request type');
    expect(slack).toEqual(labels);
    const teams = (requestFormCard(CATALOG, 'laptop', { title: '', description: '', fields: {} }).body as Array<{ label?: string }>).flatMap((b) => (b.label ? [b.label] : []));
    expect(teams).toEqual(labels);
  });

  it('the type picker groups the catalog by queue, in catalog order', () => {
    expect(typePicker(CATALOG)).toEqual([{ queue: 'IT', label: 'IT Desk', types: [expect.objectContaining({ key: 'laptop', name: 'New laptop' })] }]);
    expect(textsOf(requestFormCard(CATALOG, 'laptop', { title: '', description: '', fields: {} }))).toContain('New laptop');
  });
});
