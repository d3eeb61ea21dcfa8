import type { FormInput as PresentInput, RequestForm } from '../../../present/forms.ts';
import { fieldInputName, REQUESTER_LABELS, type FieldErrors, type PostedValues } from '../form-values.ts';
import type { KnowledgeHit } from '../../../knowledge/search.ts';
import { Layout } from './layout.tsx';
import { Highlighted } from './knowledge.tsx';

export interface RequestFormProps {
  /** The form from the catalog (present/forms.ts), as every door shows it. */
  form: RequestForm;
  expected: string | null;
  token: string;
  values: PostedValues;
  errors: FieldErrors;
  /** A message above the form that is not about one field (e.g. an expired form). */
  notice?: string | undefined;
  /** Help articles found by "Check for answers" (undefined = not asked yet). */
  suggestions?: KnowledgeHit[] | undefined;
}

/** An input of the model's form (src/present/forms.ts) under its posted name. */
type InputSpec = Pick<PresentInput, 'label' | 'type' | 'required' | 'help' | 'placeholder' | 'options'> & { name: string; autocomplete?: string };

/** The form generated from the request type's fields, plus summary, details and requester. */
export function RequestFormPage(props: RequestFormProps) {
  const { form, values, errors } = props;
  const inputs: InputSpec[] = form.inputs.map((i) => ({ name: i.custom ? fieldInputName(i.id) : i.id, label: i.label, type: i.type, required: i.required, help: i.help, placeholder: i.placeholder, options: i.options }));
  const [email, name] = REQUESTER_LABELS;
  const who: InputSpec[] = [
    { name: email![0], label: email![1], type: 'email', required: true, help: 'Updates and your link to this request go here.', autocomplete: 'email' },
    { name: name![0], label: name![1], type: 'text', required: false, autocomplete: 'name' },
  ];
  const failing = Object.keys(errors);
  return (
    <Layout title={failing.length ? `Fix ${failing.length} problem${failing.length === 1 ? '' : 's'} · ${form.name}` : form.name} suggestScript>
      <p class="crumbs">
        <a href="/">All requests</a> › {form.queueName}
      </p>
      <h1>{form.name}</h1>
      {form.description ? <p class="lead">{form.description}</p> : null}
      {props.expected ? <p class="expected">{props.expected}</p> : null}
      {props.notice ? (
        <div class="notice" role="alert">
          {props.notice}
        </div>
      ) : null}
      {failing.length ? (
        <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
          <h2 id="error-summary-title">Please fix {failing.length === 1 ? 'this' : `these ${failing.length} things`}</h2>
          <ul>
            {failing.map((name) => (
              <li>
                <a href={`#${inputId(name)}`}>{errors[name]}</a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <form class="request" method="post" action={`/new/${form.typeKey}`} novalidate>
        <input type="hidden" name="token" value={props.token} />
        <input type="hidden" name="shown" value={values.shown ?? ''} />
        <fieldset>
          <legend>Your request</legend>
          {inputs.map((input) => (
            <FormInput spec={input} value={values[input.name]} error={errors[input.name]} />
          ))}
        </fieldset>
        <fieldset>
          <legend>About you</legend>
          {who.map((input) => (
            <FormInput spec={input} value={values[input.name]} error={errors[input.name]} />
          ))}
        </fieldset>
        <Suggestions hits={props.suggestions} query={`${values.title ?? ''} ${values.description ?? ''}`.trim()} />
        <div class="actions">
          <button type="submit" name="intent" value="check" formnovalidate class="secondary" id="check-answers">
            Check for answers
          </button>
          <button type="submit" class="primary">
            {form.submitLabel}
          </button>
        </div>
      </form>
    </Layout>
  );
}

/** Suggested articles, before anyone has to wait. Filled by the server, or as you type by kb-suggest.js. */
function Suggestions({ hits, query }: { hits: KnowledgeHit[] | undefined; query: string }) {
  return (
    <section id="kb-suggestions" class="suggestions" aria-live="polite" aria-labelledby="kb-suggestions-title" hidden={hits === undefined}>
      <h2 id="kb-suggestions-title">{hits?.length === 0 ? 'No article matches yet' : 'These might answer it'}</h2>
      {hits?.length === 0 ? <p class="muted">Nothing in the help articles fits. Send the request and a person will answer.</p> : null}
      <ul class="types">
        {(hits ?? []).map((hit) => (
          <li class="type" lang={hit.lang}>
            <h3>
              <a href={`/kb/${hit.slug}?from=web`} target="_blank" rel="noopener">
                {hit.title}
              </a>
            </h3>
            <p>
              <Highlighted text={hit.marked} />
            </p>
            <button type="submit" formaction={`/kb/solved?slug=${hit.slug}`} formnovalidate class="secondary small">
              That solved it
            </button>
          </li>
        ))}
      </ul>
      {hits?.length ? <p class="muted">Still need help? Send the request below: what you wrote is kept.</p> : null}
      <input type="hidden" name="kb_query" value={query} />
    </section>
  );
}

const inputId = (name: string) => `in-${name.replace(/[^a-z0-9_-]/gi, '-')}`;

function FormInput({ spec, value, error }: { spec: InputSpec; value: string | undefined; error: string | undefined }) {
  const id = inputId(spec.name);
  const describedBy = [spec.help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: spec.name,
    required: spec.required,
    'aria-invalid': error ? 'true' : undefined,
    'aria-describedby': describedBy,
  };
  const label = (
    <label for={id}>
      {spec.label}
      {spec.required ? <span class="req"> (required)</span> : <span class="opt"> (optional)</span>}
    </label>
  );
  const help = spec.help ? (
    <p class="help" id={`${id}-help`}>
      {spec.help}
    </p>
  ) : null;
  const message = error ? (
    <p class="field-error" id={`${id}-error`}>
      {error}
    </p>
  ) : null;

  if (spec.type === 'checkbox') {
    const checked = value === 'on' || value === 'true';
    return (
      <div class={`field check${error ? ' has-error' : ''}`}>
        <input type="checkbox" {...common} checked={checked} />
        {label}
        {help}
        {message}
      </div>
    );
  }
  let control;
  if (spec.type === 'textarea') {
    control = <textarea {...common} rows={5} placeholder={spec.placeholder}>{value ?? ''}</textarea>;
  } else if (spec.type === 'select') {
    control = (
      <select {...common}>
        <option value="">Choose…</option>
        {(spec.options ?? []).map((option) => (
          <option value={option} selected={value === option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else {
    const inputType = spec.type === 'email' || spec.type === 'date' || spec.type === 'number' ? spec.type : 'text';
    control = <input type={inputType} {...common} value={value ?? ''} placeholder={spec.placeholder} autocomplete={spec.autocomplete} maxlength={spec.name === 'title' ? 200 : undefined} />;
  }
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      {label}
      {help}
      {message}
      {control}
    </div>
  );
}
