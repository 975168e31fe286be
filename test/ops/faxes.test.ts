import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newFaxJob } from '../../fixtures/fax-jobs';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { runFaxes } from '../../ops/faxes';
import { type HttpStandIn, startCloudFormationStandIn } from '../support/aws-api-stand-ins';
import { repoRoot } from '../support/paths';
import { localClientConfig, TEST_TABLE, useStandIns } from '../support/stand-ins';

const standIns = useStandIns();
const NOW = new Date('2026-03-02T12:00:00.000Z');
let cloudFormation: HttpStandIn;

/** Three faxes in the ledger, as the inbound path and the webhook leave them. */
beforeAll(async () => {
  const ledger = new DynamoDbLedger({
    table: TEST_TABLE,
    client: new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb)),
  });
  const delivered = newFaxJob({ messageId: 'm-delivered', createdAt: '2026-03-02T09:15:00.000Z' });
  const failed = newFaxJob({
    messageId: 'm-failed',
    sender: 'bob@example.org',
    recipient: '+442071234567',
    recipientDisplay: { international: '+44 20 7123 4567', national: '020 7123 4567' },
    createdAt: '2026-03-02T11:40:00.000Z',
  });
  const old = newFaxJob({ messageId: 'm-old', createdAt: '2026-02-20T08:00:00.000Z' });
  for (const job of [delivered, failed, old]) await ledger.claimFax(job);
  await ledger.advance(delivered, { status: 'queued', at: '2026-03-02T09:15:02Z', faxId: 'f-1' });
  await ledger.advance(delivered, {
    status: 'delivered',
    at: '2026-03-02T09:17:00Z',
    pageCount: 4,
  });
  // Busy, dialled again, busy again: two dials.
  await ledger.advance(failed, { status: 'queued', at: '2026-03-02T11:40:02Z', faxId: 'f-0' });
  await ledger.startNextAttempt(failed, {
    attempt: 1,
    dialledAt: '2026-03-02T11:40:01Z',
    endedAt: '2026-03-02T11:40:40Z',
    faxId: 'f-0',
    failureReason: 'user_busy',
    counted: true,
  });
  const second = { attempt: 2, at: '2026-03-02T11:41:02Z' };
  await ledger.advance(failed, { ...second, status: 'queued', faxId: 'f-2' });
  await ledger.advance(failed, {
    attempt: 2,
    status: 'failed',
    at: '2026-03-02T11:42:00Z',
    failureReason: 'user_busy',
  });
  await ledger.markEventProcessed('e-1', '2026-03-02T11:42:00Z', 1_800_000_000);
  cloudFormation = await startCloudFormationStandIn({ FaxBridge: { LedgerTableName: TEST_TABLE } });
});

afterAll(() => cloudFormation?.stop());

async function faxes(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runFaxes(
    argv,
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    {
      dynamodb: new DynamoDBClient(localClientConfig(standIns().endpoints.dynamodb)),
      cloudFormation: new CloudFormationClient(localClientConfig(cloudFormation.url)),
      now: () => NOW,
    },
  );
  return { code, out, err };
}

describe('npm run faxes', () => {
  it('prints the last day’s faxes from the table the stack names, newest first', async () => {
    const { code, out } = await faxes([]);
    expect(code).toBe(0);
    expect(out).toEqual([
      'time (UTC)        sender             number            pages  status     attempts  reason',
      '2026-03-02 11:40  bob@example.org    +44 20 7123 4567      3  failed            2  user_busy',
      '2026-03-02 09:15  alice@example.com  +1 312-555-0100       4  delivered         1',
    ]);
  });

  it('filters by time, sender and status', async () => {
    const week = await faxes(['--since', '14d', '--sender', 'Alice@Example.com']);
    expect(week.out.slice(1).map((l) => l.slice(0, 16))).toEqual([
      '2026-03-02 09:15',
      '2026-02-20 08:00',
    ]);
    const failed = await faxes(['--status', 'failed']);
    expect(failed.out.slice(1)).toEqual([expect.stringContaining('bob@example.org')]);
    const hour = await faxes(['--since', '10m']);
    expect(hour.out).toEqual([`no faxes since 2026-03-02T11:50:00.000Z in ${TEST_TABLE}`]);
  });

  it('gives the same rows as JSON, with the fax and message ids', async () => {
    const { out } = await faxes(['--json', '--status', 'delivered']);
    expect(JSON.parse(out.join('\n'))).toEqual([
      {
        time: '2026-03-02 09:15',
        sender: 'alice@example.com',
        number: '+1 312-555-0100',
        pages: 4,
        status: 'delivered',
        attempts: 1,
        reason: '',
        faxId: 'f-1',
        messageId: 'm-delivered',
      },
    ]);
  });

  it.each([[['--since', 'yesterday']], [['--status', 'lost']], [['--format', 'csv']]])(
    'prints the usage and exits 2 for %j',
    async (argv) => {
      const { code, err } = await faxes(argv);
      expect(code).toBe(2);
      expect(err.at(-1)).toMatch(/^usage: npm run faxes/);
    },
  );

  it('reads the local mode’s ledger through AWS_ENDPOINT_URL_DYNAMODB, as a command', async () => {
    const { stdout } = await promisify(execFile)(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      ['ops/faxes.ts', '--table', TEST_TABLE, '--since', '3650d', '--json'],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH,
          ...standIns().env,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    );
    const rows = JSON.parse(stdout) as { messageId: string }[];
    expect(rows.map((r) => r.messageId)).toEqual(['m-failed', 'm-delivered', 'm-old']);
  });
});
