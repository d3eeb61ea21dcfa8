import { timingSafeEqual } from 'node:crypto';
import type { TicketLinks } from './links.ts';

/**
 * Links that carry one decision: /approve/:token names an approval step and the person it was
 * sent to, /rate/:token a ticket to rate (its requester). HMAC-signed with the link secret, so
 * nothing is stored; a token keeps working until the step is decided (approvals) or the ticket
 * is closed (ratings): the pages and the core commands check that, not the token.
 */
const APPROVE = /^(\d{1,10})\.(\d{1,10})\.([A-Za-z0-9_-]{43})$/;
const RATE = /^(\d{1,10})\.([A-Za-z0-9_-]{43})$/;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function approvalUrl(links: TicketLinks, stepId: number, personId: number): string {
  const body = `${stepId}.${personId}`;
  return `${links.publicUrl}/approve/${body}.${links.signValue('approve', body)}`;
}

export function readApprovalToken(links: TicketLinks, token: string): { stepId: number; personId: number } | null {
  const match = APPROVE.exec(token);
  if (!match) return null;
  const body = `${match[1]}.${match[2]}`;
  return same(links.signValue('approve', body), match[3]!) ? { stepId: Number(match[1]), personId: Number(match[2]) } : null;
}

export function ratingUrl(links: TicketLinks, ticketId: number, rating?: number): string {
  const body = String(ticketId);
  return `${links.publicUrl}/rate/${body}.${links.signValue('rate', body)}${rating ? `?r=${rating}` : ''}`;
}

export function readRatingToken(links: TicketLinks, token: string): { ticketId: number } | null {
  const match = RATE.exec(token);
  if (!match) return null;
  return same(links.signValue('rate', match[1]!), match[2]!) ? { ticketId: Number(match[1]) } : null;
}
