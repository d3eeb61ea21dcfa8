/** Small helpers for the addresses and Message-IDs email threading runs on. */

/** A ticket key as it appears in a plus-address or a subject tag: IT-42. */
export const TICKET_KEY = /^[A-Z][A-Z0-9]{0,9}-\d{1,9}$/;

/** `<Abc@Host>` → `<abc@host>`: anchors store Message-IDs in angle brackets, lower-case. */
export function normalizeMessageId(value: string | undefined | null): string | null {
  const trimmed = value?.trim();
  if (!trimmed) return null;
  const inner = trimmed.replace(/^<|>$/g, '').trim();
  return inner ? `<${inner.toLowerCase()}>` : null;
}

/** Every Message-ID in a References / In-Reply-To value (mailparser gives a string or a list). */
export function messageIdsIn(value: string | string[] | undefined): string[] {
  const text = Array.isArray(value) ? value.join(' ') : (value ?? '');
  const ids = text.match(/<[^<>\s]+>/g) ?? [];
  return ids.map((id) => normalizeMessageId(id)!).filter(Boolean);
}

export function domainOf(addressOrId: string): string {
  return (/@([^\s>@]+)>?$/.exec(addressOrId.trim())?.[1] ?? '').toLowerCase();
}

/** RFC 5233 subaddress: `it+IT-42@example.com` → base `it@example.com`, tag `IT-42`. */
export function splitPlus(address: string): { base: string; tag: string | null } {
  const lower = address.trim();
  const at = lower.lastIndexOf('@');
  if (at < 0) return { base: lower.toLowerCase(), tag: null };
  const local = lower.slice(0, at);
  const domain = lower.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus < 0) return { base: `${local.toLowerCase()}@${domain}`, tag: null };
  return { base: `${local.slice(0, plus).toLowerCase()}@${domain}`, tag: local.slice(plus + 1) || null };
}

/** `it@example.com` + `IT-42` → `it+IT-42@example.com`. */
export function plusAddress(address: string, tag: string): string {
  const { base } = splitPlus(address);
  const at = base.lastIndexOf('@');
  return `${base.slice(0, at)}+${tag}${base.slice(at)}`;
}

/** The ticket key a plus-address carries, when it carries one. */
export function ticketKeyOfTag(tag: string | null): string | null {
  const key = tag?.toUpperCase() ?? null;
  return key && TICKET_KEY.test(key) ? key : null;
}

/** `[IT-42]` anywhere in a subject. */
export function ticketKeyInSubject(subject: string | undefined): string | null {
  const match = /\[([A-Za-z][A-Za-z0-9]{0,9}-\d{1,9})\]/.exec(subject ?? '');
  return match ? match[1]!.toUpperCase() : null;
}

/** A subject without reply/forward prefixes or our own tag, for a ticket title. */
export function titleFromSubject(subject: string | undefined): string {
  let title = (subject ?? '').trim();
  for (;;) {
    const next = title
      .replace(/^(re|fw|fwd|aw|sv|vs|antw)(\[\d+\])?\s*:\s*/i, '')
      .replace(/^\[[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}\]\s*/, '')
      .trim();
    if (next === title) break;
    title = next;
  }
  return title || '(no subject)';
}
