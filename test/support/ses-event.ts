import type { SESEvent } from 'aws-lambda';

export interface SesEventInput {
  messageId: string;
  recipients: string[];
  source: string;
  headers?: { name: string; value: string }[];
  headersTruncated?: boolean;
  verdicts?: Partial<Record<string, string | undefined>>;
}

/** A Lambda receipt-action event shaped like the real one SES sends (no body). */
export function sesEvent(input: SesEventInput): SESEvent {
  const verdict = (name: string) => ({
    status: input.verdicts?.[name] ?? 'PASS',
  });
  return {
    Records: [
      {
        eventVersion: '1.0',
        eventSource: 'aws:ses',
        ses: {
          mail: {
            timestamp: '2026-11-27T10:00:00.000Z',
            source: input.source,
            messageId: input.messageId,
            destination: input.recipients,
            headersTruncated: input.headersTruncated ?? false,
            headers: input.headers ?? [],
            commonHeaders: {
              returnPath: input.source,
              from: [input.source],
              date: 'Fri, 27 Nov 2026 10:00:00 +0000',
              to: input.recipients,
              messageId: `<${input.messageId}@example.com>`,
              subject: '',
            },
          },
          receipt: {
            timestamp: '2026-11-27T10:00:00.000Z',
            processingTimeMillis: 400,
            recipients: input.recipients,
            spamVerdict: verdict('spam'),
            virusVerdict: verdict('virus'),
            spfVerdict: verdict('spf'),
            dkimVerdict: verdict('dkim'),
            dmarcVerdict: verdict('dmarc'),
            action: {
              type: 'Lambda',
              invocationType: 'Event',
              functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:inbound',
            },
          },
        },
      },
    ],
  } as SESEvent;
}
