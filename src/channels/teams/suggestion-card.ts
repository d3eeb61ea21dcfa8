import type { Suggestion } from '../../knowledge/suggest.ts';
import { card, plain, type AdaptiveCard } from './form-cards.ts';

/** Teams' Action.Submit `sb` kinds of the two answers (actions.ts parses them). */
export const SUGGESTION_SUBMITS = { solved: 'kb_solved', needHelp: 'kb_help' } as const;

/**
 * The suggestion as an Adaptive Card: each article a linked title (Action.OpenUrl), its
 * snippet as a plain TextRun, and its own "That solved it"; then one "I still need help".
 * `ref` is the id of the person's message, the turn the answers belong to.
 */
export function suggestionCard(suggestion: Suggestion, ref: string): AdaptiveCard {
  const body: unknown[] = [{ type: 'TextBlock', text: suggestion.prompt, wrap: true, weight: 'Bolder' }];
  for (const article of suggestion.articles) {
    body.push({
      type: 'Container',
      separator: true,
      items: [
        plain(article.title, { weight: 'Bolder', selectAction: { type: 'Action.OpenUrl', url: article.url } }),
        plain(article.snippet, { isSubtle: true }),
        {
          type: 'ActionSet',
          actions: [
            { type: 'Action.OpenUrl', title: 'Read it', url: article.url },
            { type: 'Action.Submit', title: suggestion.actions.solved.label, data: { sb: SUGGESTION_SUBMITS.solved, ref, slug: article.slug } },
          ],
        },
      ],
    });
  }
  return card(body, [{ type: 'Action.Submit', title: suggestion.actions.needHelp.label, style: 'positive', data: { sb: SUGGESTION_SUBMITS.needHelp, ref, text: suggestion.text } }]);
}

/** What the suggestion turns into after "That solved it". */
export function solvedCard(title: string): AdaptiveCard {
  return card([{ type: 'TextBlock', text: 'Glad that solved it', weight: 'Bolder' }, plain(title, { italic: true }), { type: 'TextBlock', text: 'Nothing was filed. Write to me again whenever you need something.', wrap: true, isSubtle: true }]);
}
