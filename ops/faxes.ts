// npm run faxes: the recent faxes in the ledger, as a table or JSON, read with the operator's
// AWS credentials from the table the stack names (or --table; AWS_ENDPOINT_URL_DYNAMODB points it
// at the local mode's dynalite).
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { toJob } from '../functions/adapters/dynamodb-ledger';
import { JOB_PK_PREFIX } from '../functions/adapters/storage-layout';
import type { FaxJob, FaxStatus } from '../functions/core/shared/ports';
import { consoleIo, flags, type Io, isMain, runCommand, table, UsageError } from './cli';
import { DEFAULT_STACK, stackOutputs } from './stack-outputs';

const STATUSES: Record<FaxStatus, true> = {
  claimed: true,
  unknown: true,
  not_sent: true,
  queued: true,
  'media.processed': true,
  sending: true,
  delivered: true,
  failed: true,
};

export const USAGE = [
  'usage: npm run faxes -- [--since 24h] [--sender <address>] [--status <status>] [--json]',
  '                        [--stack-name FaxBridge | --table <ledger table>]',
  '  --since   how far back, in minutes, hours or days: 30m, 24h, 7d (default 24h)',
  `  --status  ${Object.keys(STATUSES).join(', ')}`,
].join('\n');

const OPTIONS = {
  since: { type: 'string', default: '24h' },
  sender: { type: 'string' },
  status: { type: 'string' },
  json: { type: 'boolean', default: false },
  table: { type: 'string' },
  'stack-name': { type: 'string', default: DEFAULT_STACK },
} as const;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export interface FaxesDeps {
  dynamodb: DynamoDBClient;
  cloudFormation: CloudFormationClient;
  now: () => Date;
}

/** One fax as the operator reads it. */
export interface FaxRow {
  time: string;
  sender: string;
  number: string;
  pages: number;
  status: FaxStatus;
  attempts: number;
  reason: string;
  faxId?: string;
  messageId: string;
}

export function runFaxes(
  argv: string[],
  io: Io = consoleIo,
  deps: FaxesDeps = defaultDeps(),
): Promise<number> {
  return runCommand(USAGE, io, async () => {
    const values = flags(argv, OPTIONS);
    const since = sinceTime(values.since, deps.now());
    const status = values.status;
    if (status !== undefined && !Object.hasOwn(STATUSES, status)) {
      throw new UsageError(`--status ${status} is not a fax status`);
    }
    const tableName =
      values.table ??
      (
        await stackOutputs(
          deps.cloudFormation,
          values['stack-name'],
          ['LedgerTableName'],
          'pass --table <ledger table> or --stack-name <your stack>',
        )
      ).LedgerTableName;
    const jobs = await recentJobs(deps.dynamodb, tableName, since);
    const rows = jobs
      .filter((job) => !values.sender || job.sender === values.sender.toLowerCase())
      .filter((job) => !status || job.status === status)
      .map(rowOf);
    if (values.json) {
      io.out(JSON.stringify(rows, null, 2));
      return 0;
    }
    if (rows.length === 0) {
      io.out(`no faxes since ${since.toISOString()} in ${tableName}`);
      return 0;
    }
    const headers = ['time (UTC)', 'sender', 'number', 'pages', 'status', 'attempts', 'reason'];
    for (const line of table(
      headers,
      rows.map((r) => [
        r.time,
        r.sender,
        r.number,
        String(r.pages),
        r.status,
        String(r.attempts),
        r.reason,
      ]),
    )) {
      io.out(line);
    }
    return 0;
  });
}

function sinceTime(value: string, now: Date): Date {
  const match = /^(\d+)([mhd])$/.exec(value);
  if (!match) throw new UsageError(`--since ${value} is not a duration like 30m, 24h or 7d`);
  const unit = match[2] as keyof typeof UNIT_MS;
  return new Date(now.getTime() - Number(match[1]) * UNIT_MS[unit]);
}

/** Every fax job created since `since`, newest first. */
export async function recentJobs(
  client: DynamoDBClient,
  tableName: string,
  since: Date,
): Promise<FaxJob[]> {
  const db = DynamoDBDocumentClient.from(client);
  const jobs: FaxJob[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    // The ledger has no index by time: a scan, which the operator's role may do and the
    // functions' may not. At a few thousand items a day it reads in well under a second.
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :jobs) AND createdAt >= :since',
        ExpressionAttributeValues: { ':jobs': JOB_PK_PREFIX, ':since': since.toISOString() },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) jobs.push(toJob(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return jobs.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function rowOf(job: FaxJob): FaxRow {
  return {
    time: job.createdAt.slice(0, 16).replace('T', ' '),
    sender: job.sender,
    number: job.recipientDisplay?.international ?? job.recipient,
    pages: job.pageCount ?? job.documentPages,
    status: job.status,
    attempts: attemptsOf(job),
    reason: job.failureReason ?? job.note ?? '',
    faxId: job.faxId,
    messageId: job.messageId,
  };
}

/**
 * Dials made for the job: the earlier ones that reached the line (a channel-limit failure did
 * not), and the one it is on. A job of an earlier version has no `dials` and had one.
 */
function attemptsOf(job: FaxJob): number {
  return (job.dials ?? []).filter((dial) => dial.counted).length + 1;
}

function defaultDeps(): FaxesDeps {
  return {
    dynamodb: new DynamoDBClient({}),
    cloudFormation: new CloudFormationClient({}),
    now: () => new Date(),
  };
}

if (isMain(import.meta.url)) process.exitCode = await runFaxes(process.argv.slice(2));
