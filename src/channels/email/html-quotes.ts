import render from 'dom-serializer';
import { isTag, isText, type AnyNode, type Element } from 'domhandler';
import { removeElement } from 'domutils';
import { parseDocument } from 'htmlparser2';

/**
 * Structure-aware quote removal for HTML mail, before html-to-text: the clients' own quote
 * containers are removed from the DOM (htmlparser2), so the text that is left is what the
 * person wrote. Blockquotes are left in place: html-to-text renders them as "> " lines and the
 * text pass (reply-text.ts) drops trailing quotes and keeps the line an inline answer answers.
 *
 * - Outlook web / new Outlook / Windows Mail / Hotmail: `<hr>` + `div#divRplyFwdMsg` (or
 *   `div#appendonsend`), Outlook for Mac `#mail-editor-reference-message-container`: that
 *   element and everything after it is history.
 * - Outlook desktop: the `border-top:solid` div whose text starts with From:/De:/Von:/…: the same.
 * - Gmail `div.gmail_quote` (unless the person answered inside it), Yahoo `div.yahoo_quoted`,
 *   Thunderbird `div.moz-cite-prefix`, ProtonMail `div.protonmail_quote`: removed.
 * - Signature containers (Gmail, Thunderbird, Outlook web and mobile, iOS Mail): removed.
 */
export function stripHtmlQuotes(html: string, options: { forward?: boolean } = {}): string {
  const doc = parseDocument(html);
  const elements: Element[] = [];
  const walk = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (!isTag(node)) continue;
      elements.push(node);
      walk(node.children);
    }
  };
  walk(doc.children);

  if (!options.forward) {
    const cut = elements.find(isHistoryStart);
    if (cut) cutFrom(cut);
  }
  for (const element of elements) {
    if (!element.parent) continue; // already removed with an ancestor
    const classes = classesOf(element);
    const id = idOf(element);
    if (SIGNATURE_IDS.has(id) || classes.some((c) => SIGNATURE_CLASSES.has(c))) removeElement(element);
    else if (classes.includes('moz-cite-prefix')) removeElement(element);
    else if (!options.forward && classes.some((c) => REMOVED_QUOTE_CLASSES.has(c))) removeElement(element);
    else if (!options.forward && classes.includes('gmail_quote') && element.name !== 'blockquote' && !answeredInside(element)) removeElement(element);
  }
  return render(doc);
}

const CUT_IDS = new Set(['divrplyfwdmsg', 'appendonsend', 'mail-editor-reference-message-container', 'olk_src_body_section']);
const CUT_CLASSES = new Set(['outlookmessageheader']);
const REMOVED_QUOTE_CLASSES = new Set(['yahoo_quoted', 'protonmail_quote', 'zmail_extra']);
const SIGNATURE_IDS = new Set(['signature', 'ms-outlook-mobile-signature', 'applemailsignature', 'outlook-mobile-signature']);
const SIGNATURE_CLASSES = new Set(['gmail_signature', 'moz-signature', 'ms-outlook-mobile-signature', 'protonmail_signature_block', 'yahoo-signature']);
const FROM_WORDS = ['from:', 'de:', 'de :', 'von:', 'van:', 'da:', 'от:', 'from :'];

/** Outlook re-prefixes ids and classes with x_ each time a message is forwarded on. */
function unprefixed(value: string): string {
  let v = value.toLowerCase();
  while (v.startsWith('x_')) v = v.slice(2);
  return v;
}

function idOf(element: Element): string {
  return unprefixed(element.attribs.id ?? '');
}

function classesOf(element: Element): string[] {
  return (element.attribs.class ?? '').split(' ').filter(Boolean).map(unprefixed);
}

function isHistoryStart(element: Element): boolean {
  if (CUT_IDS.has(idOf(element)) || idOf(element).startsWith('yahoo_quoted')) return element.name !== 'body';
  if (classesOf(element).some((c) => CUT_CLASSES.has(c))) return true;
  if (element.name !== 'div') return false;
  const style = (element.attribs.style ?? '').toLowerCase().replaceAll(' ', '');
  if (!style.includes('border-top:solid')) return false;
  const text = textOf(element).trimStart().toLowerCase();
  return FROM_WORDS.some((word) => text.startsWith(word));
}

/** Remove the element, an <hr> right before it, and everything after it in document order. */
function cutFrom(start: Element): void {
  let previous = start.prev;
  while (previous && isText(previous) && previous.data.trim() === '') previous = previous.prev;
  if (previous && isTag(previous) && previous.name === 'hr') removeElement(previous);
  let current: AnyNode = start;
  while (current.parent) {
    let next = current.next;
    while (next) {
      const after: AnyNode | null = next.next;
      removeElement(next);
      next = after;
    }
    const parent: AnyNode = current.parent;
    if (current === start) removeElement(current);
    current = parent;
  }
}

/** Text typed inside a Gmail quote container, outside its blockquotes and attribution: an inline answer. */
function answeredInside(container: Element): boolean {
  let own = '';
  const walk = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (own.length > 0) return;
      if (isText(node)) own += node.data.replaceAll('\u00a0', ' ').trim();
      else if (isTag(node) && node.name !== 'blockquote' && !classesOf(node).includes('gmail_attr')) walk(node.children);
    }
  };
  walk(container.children);
  return own.length > 0;
}

function textOf(element: Element): string {
  let text = '';
  const walk = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (text.length > 200) return;
      if (isText(node)) text += node.data;
      else if (isTag(node)) walk(node.children);
    }
  };
  walk(element.children);
  return text.replaceAll('\u00a0', ' ');
}
