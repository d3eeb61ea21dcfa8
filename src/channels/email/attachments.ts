import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes } from '../../core/bytes.ts';
import type { ParsedAttachment } from './parse.ts';

export interface AttachmentLimits {
  /** Largest single file kept. */
  perFileBytes: number;
  /** Most bytes kept from one message; files past it are refused. */
  perMessageBytes: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = { perFileBytes: 10 * 1024 * 1024, perMessageBytes: 25 * 1024 * 1024 };

export interface StoredAttachment {
  filename: string;
  contentType: string;
  size: number;
  /** Relative to DATA_DIR, e.g. attachments/ab12…/1-report.pdf. */
  path: string;
  sha256: string;
}

export interface RefusedAttachment {
  filename: string;
  size: number;
  reason: string;
}

/**
 * Keep a message's attachments under DATA_DIR/attachments/<message hash>/. The path is a
 * function of the Message-ID, so reprocessing a message rewrites the same files.
 * Images embedded in the HTML body (signature logos) are not attachments.
 */
export async function storeAttachments(
  dataDir: string,
  messageKey: string,
  attachments: ReadonlyArray<Pick<ParsedAttachment, 'filename' | 'contentType' | 'related' | 'content' | 'sha256'>>,
  limits: AttachmentLimits,
): Promise<{ stored: StoredAttachment[]; refused: RefusedAttachment[] }> {
  const stored: StoredAttachment[] = [];
  const refused: RefusedAttachment[] = [];
  const folder = path.join('attachments', createHash('sha256').update(messageKey).digest('hex').slice(0, 32));
  let total = 0;
  let index = 0;
  for (const attachment of attachments) {
    if (attachment.related) continue;
    index++;
    const filename = attachment.filename?.trim() || `attachment-${index}`;
    const size = attachment.content.byteLength;
    if (size > limits.perFileBytes) {
      refused.push({ filename, size, reason: `larger than the ${formatBytes(limits.perFileBytes)} limit per file` });
      continue;
    }
    if (total + size > limits.perMessageBytes) {
      refused.push({ filename, size, reason: `over the ${formatBytes(limits.perMessageBytes)} limit per message` });
      continue;
    }
    total += size;
    const relative = path.join(folder, `${index}-${safeName(filename)}`);
    await mkdir(path.join(dataDir, folder), { recursive: true });
    await writeFile(path.join(dataDir, relative), attachment.content);
    stored.push({
      filename,
      contentType: attachment.contentType,
      size,
      path: relative,
      // Hashed in the parse worker: a 5 MB file is ~10 ms of CPU the event loop does not pay.
      sha256: attachment.sha256,
    });
  }
  return { stored, refused };
}

/** What the timeline shows about a message's attachments: kept ones and the refused ones, with why. */
export function attachmentNote(stored: StoredAttachment[], refused: RefusedAttachment[]): string {
  const lines: string[] = [];
  for (const file of stored) lines.push(`Attachment: ${file.filename} (${formatBytes(file.size)})`);
  for (const file of refused) lines.push(`Attachment not accepted: ${file.filename} (${formatBytes(file.size)}) is ${file.reason}.`);
  return lines.join('\n');
}


function safeName(name: string): string {
  const cleaned = path.basename(name).normalize('NFKC').replace(/[^\w.\- ]+/g, '_').replace(/\s+/g, '_');
  return cleaned.replace(/^\.+/, '').slice(-100) || 'file';
}
