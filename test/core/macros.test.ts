import { describe, expect, it } from 'vitest';
import { fillMacro, firstName, insertIntoReply, macroList } from '../../src/core/macros.ts';
import { loadCatalogFile } from '../../src/core/catalog.ts';

const context = {
  ticket: { key: 'IT-42', title: 'Laptop broken', status: 'open', priority: 'P2', queue: 'IT' },
  requester: { email: 'marta.lopez@example.com', name: 'Marta López' },
  agent: { email: 'bo.chen@example.com', name: null },
  queueName: 'IT Service Desk',
};

describe('macros', () => {
  it('fills the requester, agent, ticket and queue variables', () => {
    const body = 'Hi {{requester.first_name}}, {{ ticket.key }} ({{ticket.title}}, {{ticket.priority}}) is with {{queue.name}}. {{agent.first_name}}';
    expect(fillMacro(body, context)).toBe('Hi Marta, IT-42 (Laptop broken, P2) is with IT Service Desk. Bo');
  });

  it('leaves an unknown variable, or one without a value, as typed so the agent sees it before sending', () => {
    expect(fillMacro('{{requester.shoe_size}} {{agent.name}}', { ...context, agent: null })).toBe('{{requester.shoe_size}} {{agent.name}}');
  });

  it('takes a first name from the email when the directory has no name', () => {
    expect(firstName({ email: 'sara.ng@example.com', name: null })).toBe('Sara');
    expect(firstName({ email: 'x@example.com', name: '  ' })).toBe('X');
  });

  it('fills the sample catalog macros and inserts them after what is written', () => {
    const macro = macroList(loadCatalogFile(undefined)).find((m) => m.key === 'need-asset-tag')!;
    const filled = fillMacro(macro.body, context);
    expect(filled).toBe('Hi Marta, could you send the asset tag on the bottom of the laptop? (IT-42)');
    expect(insertIntoReply('Thanks.  ', filled)).toBe(`Thanks.\n\n${filled}`);
    expect(insertIntoReply('', filled)).toBe(filled);
  });
});
