import { randomUUID } from 'node:crypto';
import type { NewFaxJob } from '../../functions/core/shared/ports';

/** A job as the inbound path claims it, with fresh ids: tests share one ledger table. */
export const newFaxJob = (overrides: Partial<NewFaxJob> = {}): NewFaxJob => ({
  messageId: randomUUID(),
  recipient: '+13125550100',
  typed: '3125550100',
  sender: 'alice@example.com',
  subject: 'Lease, signed',
  emailMessageId: '<abc@example.com>',
  mediaKey: randomUUID(),
  documentPages: 3,
  recipientDisplay: { international: '+1 312-555-0100', national: '(312) 555-0100' },
  createdAt: '2026-03-01T10:00:00.000Z',
  expiresAt: 1_800_000_000,
  ...overrides,
});
