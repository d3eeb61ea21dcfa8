import type { Suggestion } from '../../knowledge/suggest.ts';
import { mrkdwn, type Block } from './blocks.ts';

/** Slack's limit on a button's value. */
const MAX_VALUE = 2_000;

/**
 * The suggestion as Block Kit: each article a section (linked title, snippet) with its own
 * "That solved it" button (value = the article's slug), then one "I still need help".
 */
export function suggestionBlocks(suggestion: Suggestion): Block[] {
  const blocks: Block[] = [{ type: 'section', block_id: 'kb_prompt', text: { type: 'mrkdwn', text: mrkdwn(suggestion.prompt) } }];
  for (const article of suggestion.articles) {
    blocks.push({
      type: 'section',
      block_id: `kb_article:${article.slug}`.slice(0, 255),
      text: { type: 'mrkdwn', text: `*<${mrkdwn(article.url)}|${mrkdwn(article.title)}>*\n${mrkdwn(article.snippet)}`.slice(0, 3_000) },
      accessory: { type: 'button', action_id: suggestion.actions.solved.id, text: { type: 'plain_text', text: suggestion.actions.solved.label, emoji: true }, value: article.slug.slice(0, MAX_VALUE) },
    });
  }
  blocks.push({
    type: 'actions',
    block_id: 'kb_answer',
    elements: [{ type: 'button', action_id: suggestion.actions.needHelp.id, style: 'primary', text: { type: 'plain_text', text: suggestion.actions.needHelp.label, emoji: true }, value: 'help' }],
  });
  return blocks;
}

/** What the suggestion message turns into after "That solved it". */
export function solvedBlocks(title: string): Block[] {
  return [{ type: 'section', block_id: 'kb_solved', text: { type: 'mrkdwn', text: `Glad *${mrkdwn(title)}* solved it. Nothing was filed; write to me again whenever you need something.` } }];
}
