// Fax jobs as the inbound function claims them, for the cases that start after it (the dispatch
// and the webhook): the same fields a 3-page fax to one number gets, so items weigh the same.
import type { JobKey } from '../functions/core/shared/ports';
import { FAX_NUMBER, SENDER } from './emails';
import type { BenchEnvironment } from './environment';

export async function claimJobs(
  environment: BenchEnvironment,
  name: string,
  count: number,
): Promise<JobKey[]> {
  const keys: JobKey[] = [];
  const now = new Date();
  for (let i = 0; i < count; i++) {
    const key = { messageId: `bench-${name}-${process.pid}-${i}`, recipient: FAX_NUMBER };
    const claimed = await environment.ledger.claimFax({
      ...key,
      typed: FAX_NUMBER,
      recipientDisplay: { international: '+1 312-555-1234', national: '(312) 555-1234' },
      fromNumber: {
        e164: '+13125550199',
        international: '+1 312-555-0199',
        national: '(312) 555-0199',
      },
      contents: { files: [{ filename: 'referral.pdf', pages: 3 }], coverPage: false },
      emailFaxNumbers: 1,
      faxAddress: `${FAX_NUMBER}@fax.localhost`,
      sender: SENDER,
      subject: `Referral ${i}`,
      emailMessageId: `<bench-${name}-${i}@example.com>`,
      mediaKey: key.messageId,
      documentPages: 3,
      quality: 'high',
      createdAt: now.toISOString(),
      expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
    });
    if (!claimed.claimed) throw new Error(`job ${key.messageId} was claimed before`);
    keys.push(key);
  }
  return keys;
}
