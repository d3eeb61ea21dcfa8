/**
 * The new words of a plain-text reply, in one pass over its lines (linear time, no
 * backtracking regexes): quoted history and the quote header that introduces it, Outlook
 * header blocks and "Original Message" separators (en, es, de, fr, pt, it, nl, ru), a trailing
 * `-- ` signature and the phone / client footers at the very end. Inline answers keep the quoted
 * line they answer. Forwarded messages are kept whole: what was forwarded is the request.
 *
 * Why not a library: email-reply-parser (willdurand port) knows English Gmail-style headers only
 * and its patterns backtrack badly without re2 (one 766 KB reply held the event loop for
 * minutes); planer (talon port) needs a browser DOM and knows fewer languages. See README.
 */

export interface StripOptions {
  /** The subject says this is a forward (Fwd:, FW:, WG:, TR:, RV:, I:, Doorst:, Пересл:): keep header blocks. */
  forward?: boolean;
}

/** Most text we keep from one message; the raw mail has everything. */
export const MAX_BODY = 20_000;

const FROM_LABELS = new Set(['from', 'de', 'von', 'van', 'da', 'от', 'от кого', 'expéditeur', 'remitente', 'absender', 'afzender', 'mittente', 'remetente']);
const DATE_LABELS = new Set([
  'sent', 'date', 'sent on', 'enviado', 'enviada', 'enviado el', 'fecha', 'gesendet', 'datum', 'envoyé', 'envoyé le', 'inviato', 'data', 'verzonden', 'verstuurd',
  'отправлено', 'дата', 'enviado em',
]);
const TO_LABELS = new Set(['to', 'para', 'an', 'à', 'a', 'aan', 'кому', 'destinatario', 'destinataire', 'empfänger', 'destinatário']);
const CC_LABELS = new Set(['cc', 'cco', 'bcc', 'kopie', 'copie', 'копия']);
const SUBJECT_LABELS = new Set(['subject', 'asunto', 'betreff', 'objet', 'sujet', 'assunto', 'oggetto', 'onderwerp', 'тема']);

/** "-----Original Message-----" and its translations (compared without the dashes, lower-case). */
const ORIGINAL_MESSAGE = new Set([
  'original message', 'reply message', 'mensaje original', 'ursprüngliche nachricht', 'original-nachricht', 'originalnachricht', "message d'origine", 'message d’origine',
  'message original', 'mensagem original', 'messaggio originale', 'oorspronkelijk bericht', 'origineel bericht', 'исходное сообщение', 'оригинальное сообщение',
]);
/** Markers of a forwarded message: from here on everything is kept. */
const FORWARD_MARKERS = [
  'forwarded message', 'begin forwarded message', 'forwarded email', 'mensaje reenviado', 'inicio del mensaje reenviado', 'weitergeleitete nachricht',
  'anfang der weitergeleiteten nachricht', 'message transféré', 'début du message réexpédié', 'début du message transféré', 'mensagem encaminhada',
  'início da mensagem encaminhada', 'messaggio inoltrato', 'inizio messaggio inoltrato', 'doorgestuurd bericht', 'begin doorgestuurd bericht',
  'пересылаемое сообщение', 'пересланное сообщение', 'начало переадресованного сообщения',
];
/** Words that open a quote header ("On … wrote:", "El … escribió:", "Am … schrieb …:", …). */
const OPENERS = ['on ', 'el ', 'am ', 'le ', 'em ', 'il ', 'op ', 'den ', 'w dniu ', 'dne '];
const VERBS = [' wrote', ' escribió', ' escribio', ' schrieb', ' a écrit', ' a ecrit', ' escreveu', ' ha scritto', ' schreef', ' написал', ' написала', ' пишет', ' skrev', ' napisał', ' kirjoitti'];

/** Phone and client footers, lower-case, without a trailing '.' or link; removed only as the message's last lines. */
const FOOTERS = new Set([
  'sent from my iphone', 'sent from my ipad', 'sent from my ipod', 'sent from my android', 'sent from my android phone', 'sent from my android device', 'sent from my mobile',
  'sent from my mobile device', 'sent from my mobile phone', 'sent from my phone', 'sent from my smartphone', 'sent from my tablet', 'sent from my blackberry',
  'sent from my windows phone', 'sent from my samsung galaxy smartphone', 'sent from my samsung device', 'sent from my galaxy', 'sent from my huawei phone', 'sent from my pixel',
  'sent from outlook', 'sent from outlook for ios', 'sent from outlook for android', 'sent from outlook for mac', 'get outlook for ios', 'get outlook for android',
  'sent from mail for windows', 'sent from mail for windows 10', 'sent from mail for windows 11', 'sent from yahoo mail for iphone', 'sent from yahoo mail on android',
  'sent from yahoo mail for ipad', 'sent from the all new aol app for ios', 'sent from gmail mobile', 'sent with proton mail secure email', 'sent from proton mail mobile',
  'sent from proton mail for ios', 'sent from proton mail android', 'sent via the samsung galaxy', 'sent from my t-mobile 5g device',
  'enviado desde mi iphone', 'enviado desde mi ipad', 'enviado desde mi teléfono', 'enviado desde mi móvil', 'enviado desde mi smartphone samsung galaxy', 'enviado desde mi android',
  'enviado desde outlook', 'enviado desde outlook para ios', 'enviado desde outlook para android', 'obtener outlook para ios', 'obtener outlook para android',
  'enviado desde correo para windows', 'enviado desde yahoo mail para android',
  'von meinem iphone gesendet', 'von meinem ipad gesendet', 'von meinem samsung galaxy smartphone gesendet', 'von meinem android-gerät gesendet', 'von meinem smartphone gesendet',
  'gesendet von meinem iphone', 'gesendet von outlook für ios', 'gesendet von outlook für android', 'outlook für ios beziehen', 'outlook für android beziehen',
  'gesendet von mail für windows', 'gesendet von mail für windows 10',
  'envoyé de mon iphone', 'envoyé de mon ipad', 'envoyé depuis mon iphone', 'envoyé de mon smartphone samsung galaxy', 'envoyé depuis mon smartphone', 'envoyé de mon appareil android',
  "envoyé à partir d'outlook pour ios", "envoyé à partir d'outlook pour android", 'télécharger outlook pour ios', 'télécharger outlook pour android', 'envoyé depuis courrier pour windows',
  'enviado do meu iphone', 'enviado do meu ipad', 'enviado do meu smartphone samsung galaxy', 'enviado do meu android', 'enviado do outlook para ios', 'obter o outlook para ios',
  'obter o outlook para android', 'enviado do email para windows',
  'inviato da iphone', 'inviato dal mio iphone', 'inviato da ipad', 'inviato dal mio ipad', 'inviato dal mio smartphone samsung galaxy', 'inviato da outlook per ios',
  'scarica outlook per ios', 'scarica outlook per android', 'inviato da posta per windows',
  'verzonden vanaf mijn iphone', 'verstuurd vanaf mijn iphone', 'verzonden vanaf mijn ipad', 'verzonden met mijn samsung galaxy smartphone', 'verzonden vanuit outlook voor ios',
  'outlook voor ios downloaden', 'outlook voor android downloaden', 'verzonden vanuit e-mail voor windows',
  'отправлено с iphone', 'отправлено с моего iphone', 'отправлено с ipad', 'отправлено с моего ipad', 'отправлено из мобильной почты mail.ru', 'отправлено из приложения яндекс почта',
  'отправлено из outlook для ios', 'получить outlook для ios', 'получить outlook для android',
]);

export function stripReply(input: string, options: StripOptions = {}): string {
  const lines = input.replace(/\r\n?/g, '\n').split('\n');
  let end = lines.length;
  /** From here on the text is a forwarded message, kept as it is. */
  let keepFrom = lines.length;
  const dropped = new Set<number>();

  for (let i = 0; i < end; i++) {
    const trimmed = lines[i]!.trim();
    if (trimmed === '' || trimmed.startsWith('>')) continue;
    if (isForwardMarker(trimmed)) {
      keepFrom = i;
      break;
    }
    if (!options.forward) {
      if (isOriginalMessageLine(trimmed) || (isRule(trimmed) && headerBlockAt(lines, nextNonBlank(lines, i + 1))) || headerBlockAt(lines, i)) {
        end = i;
        break;
      }
    }
    const header = attributionAt(lines, i);
    if (!header) continue;
    if (header.quotedNext) {
      for (let k = i; k <= header.end; k++) dropped.add(k);
      i = header.end;
    } else if (header.certain && !options.forward) {
      end = i;
      break;
    }
  }

  const own: string[] = [];
  for (let k = 0; k < Math.min(end, keepFrom); k++) if (!dropped.has(k)) own.push(lines[k]!);
  let kept = withoutSignature(keepAnsweredLines(own));
  if (keepFrom < lines.length) kept = [...kept, '', ...lines.slice(keepFrom)];
  return tidy(kept);
}

/** Quoted lines after the last answer go; a quoted run followed by an answer keeps its last line. */
function keepAnsweredLines(lines: string[]): string[] {
  let lastAnswer = -1;
  for (let k = lines.length - 1; k >= 0; k--) {
    const t = lines[k]!.trim();
    if (t !== '' && !t.startsWith('>')) {
      lastAnswer = k;
      break;
    }
  }
  const out: string[] = [];
  let lastQuoted: string | null = null;
  for (let k = 0; k <= lastAnswer; k++) {
    const line = lines[k]!;
    const t = line.trim();
    if (t.startsWith('>')) {
      if (t.replace(/^[>\s]+/, '') !== '') lastQuoted = t;
      continue;
    }
    if (t === '' && lastQuoted !== null) continue;
    if (lastQuoted !== null) {
      out.push(lastQuoted);
      lastQuoted = null;
    }
    out.push(line);
  }
  return out;
}

/** A `-- ` signature (RFC 3676), a list footer, then phone/client footers, all only at the end. */
function withoutSignature(lines: string[]): string[] {
  let out = lines;
  for (let k = 0; k < out.length; k++) {
    const raw = out[k]!;
    const t = raw.trim();
    if (t === '--' || raw.trimStart() === '-- ') {
      const after = out.slice(k + 1).filter((line) => line.trim() !== '').length;
      if (after <= 15) out = out.slice(0, k);
      break;
    }
    if (t.length >= 10 && [...t].every((c) => c === '_' || c === '-' || c === '=')) {
      const rest = out.slice(k + 1).filter((line) => line.trim() !== '');
      const text = rest.join(' ').toLowerCase();
      if (rest.length <= 6 && (text.includes('mailing list') || text.includes('unsubscribe') || text.includes('listinfo') || text.includes('abbestellen') || text.includes('darse de baja'))) {
        out = out.slice(0, k);
        break;
      }
    }
  }
  out = out.slice();
  for (let round = 0; round < 3; round++) {
    while (out.length && out[out.length - 1]!.trim() === '') out.pop();
    if (out.length && isFooter(out[out.length - 1]!)) out.pop();
    else break;
  }
  return out;
}

export function isFooter(line: string): boolean {
  if (line.length > 400) return false;
  let t = withoutLinks(line.trim().toLowerCase());
  while (t.endsWith('.') || t.endsWith('!')) t = t.slice(0, -1).trimEnd();
  if (t.length > 80) return false;
  return FOOTERS.has(t);
}

/** `Mail [https://…] for Windows`, `Get Outlook for iOS<https://aka.ms/…>` → the words only. */
function withoutLinks(text: string): string {
  let out = text;
  for (const [open, close] of [['[http', ']'], ['<http', '>']] as const) {
    for (let start = out.indexOf(open); start >= 0; start = out.indexOf(open)) {
      const stop = out.indexOf(close, start);
      if (stop < 0) break;
      out = `${out.slice(0, start).trimEnd()} ${out.slice(stop + 1).trimStart()}`.trim();
    }
  }
  return out;
}

function tidy(lines: string[]): string {
  const out: string[] = [];
  for (const line of lines) {
    const clean = line.trimEnd();
    if (clean === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(clean);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  const text = out.join('\n');
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY)}…` : text;
}

function nextNonBlank(lines: string[], from: number): number {
  let k = from;
  while (k < lines.length && lines[k]!.trim() === '') k++;
  return k;
}

/** The field name of a `Name: value` line (also `*From:*` and French `De :`), lower-case. */
function labelOf(line: string | undefined): string | null {
  if (line === undefined) return null;
  let t = line.trim();
  while (t.startsWith('*')) t = t.slice(1);
  const colon = t.indexOf(':');
  if (colon < 1 || colon > 24) return null;
  let name = t.slice(0, colon).trim();
  while (name.endsWith('*')) name = name.slice(0, -1);
  return name.trim().toLowerCase();
}

/** An Outlook-style header block: a From line, then within a few lines at least two of Sent/Date, To, Subject. */
function headerBlockAt(lines: string[], i: number): boolean {
  const first = labelOf(lines[i]);
  if (!first || !FROM_LABELS.has(first)) return false;
  const kinds = new Set<string>();
  for (let k = i + 1; k < Math.min(lines.length, i + 8); k++) {
    const label = labelOf(lines[k]);
    if (label === null) {
      if (lines[k]!.trim() === '') break;
      continue; // a wrapped value
    }
    if (DATE_LABELS.has(label)) kinds.add('date');
    else if (TO_LABELS.has(label)) kinds.add('to');
    else if (SUBJECT_LABELS.has(label)) kinds.add('subject');
    else if (!CC_LABELS.has(label)) break;
  }
  return kinds.size >= 2;
}

function isOriginalMessageLine(trimmed: string): boolean {
  if (!trimmed.startsWith('-') && !trimmed.startsWith('_')) return false;
  return ORIGINAL_MESSAGE.has(stripRule(trimmed).toLowerCase());
}

function isForwardMarker(trimmed: string): boolean {
  const t = stripRule(trimmed).toLowerCase();
  const bare = t.endsWith(':') ? t.slice(0, -1).trimEnd() : t;
  if (bare.length > 60) return false;
  return FORWARD_MARKERS.some((marker) => bare === marker || (trimmed.startsWith('-') && bare.includes(marker)));
}

function stripRule(trimmed: string): string {
  let start = 0;
  let stop = trimmed.length;
  const rule = (c: string | undefined): boolean => c === '-' || c === '_' || c === ' ' || c === '=';
  while (start < stop && rule(trimmed[start])) start++;
  while (stop > start && rule(trimmed[stop - 1])) stop--;
  return trimmed.slice(start, stop);
}

/** A horizontal rule line (Outlook puts 32 underscores above its header block). */
function isRule(trimmed: string): boolean {
  return trimmed.length >= 8 && [...trimmed].every((c) => c === '_' || c === '-');
}

/**
 * A quote header starting at line i, possibly wrapped over up to three lines: "On … wrote:",
 * "El … escribió:", "Am … schrieb …:", "Le … a écrit :", "Em … escreveu:", "Il … ha scritto:",
 * "Op … schreef …:", "… написал(а):", or any "…address…:" line right above quoted lines.
 */
function attributionAt(lines: string[], i: number): { end: number; quotedNext: boolean; certain: boolean } | null {
  const first = lines[i]!.trim();
  if (first.length > 300) return null;
  const lowerFirst = first.toLowerCase();
  const opener = OPENERS.some((o) => lowerFirst.startsWith(o));
  const mayWrap = opener || hasDigit(first) || first.includes('@');
  let joined = first;
  let end = i;
  while (mayWrap && !joined.endsWith(':') && end < i + 2 && end + 1 < lines.length) {
    const next = lines[end + 1]!.trim();
    const lowerNext = next.toLowerCase();
    if (next === '' || next.startsWith('>') || OPENERS.some((o) => lowerNext.startsWith(o)) || joined.length + next.length > 400) break;
    joined += ` ${next}`;
    end++;
  }
  if (!joined.endsWith(':')) return null;
  const lower = joined.toLowerCase();
  const verb = VERBS.some((v) => lower.includes(v));
  const next = nextNonBlank(lines, end + 1);
  const quotedNext = next < lines.length && lines[next]!.trim().startsWith('>');
  const evidence = lower.includes('@') || hasDigit(lower);
  const verbAtEnd = VERBS.some((v) => lower.endsWith(`${v}:`) || lower.endsWith(`${v} :`) || lower.endsWith(`${v}(а):`));
  if (((opener && verb) || verbAtEnd) && (quotedNext || evidence)) return { end, quotedNext, certain: evidence };
  if (quotedNext && lower.includes('@') && hasDigit(lower)) return { end, quotedNext, certain: true };
  return null;
}

function hasDigit(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const code = text.charCodeAt(k);
    if (code >= 48 && code <= 57) return true;
  }
  return false;
}
