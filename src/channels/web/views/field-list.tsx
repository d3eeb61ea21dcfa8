import { RichText } from './rich-text.tsx';

/** A custom field as a page lists it; `type` 'textarea' keeps its line breaks when the list is rich. */
export interface FieldItem {
  label: string;
  value: string;
  type?: string;
}

/** The request's custom fields, label and value, in the order given (the catalog's). Nothing without fields. */
export function FieldList({ fields, rich = false }: { fields: FieldItem[]; rich?: boolean }) {
  if (!fields.length) return null;
  return (
    <dl class="fields">
      {fields.map((field) => (
        <div>
          <dt>{field.label}</dt>
          <dd>{rich && field.type === 'textarea' ? <RichText text={field.value} /> : field.value}</dd>
        </div>
      ))}
    </dl>
  );
}
