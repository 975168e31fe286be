// npm run redrive: after a fix, replays the SES events the inbound function gave up on (its
// dead-letter queue) by invoking it again, asynchronously, with each event as it was. A message
// leaves the queue only once Lambda has accepted the invocation. Nothing is faxed twice: the
// function claims every fax in the ledger before calling Telnyx, so an event whose faxes went
// out (or whose fate is unknown) reports them and sends nothing, and each notice is sent once.
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { consoleIo, flags, type Io, isMain, runCommand, UsageError } from './cli';
import { DEFAULT_STACK, stackOutputs } from './stack-outputs';

export const USAGE = [
  'usage: npm run redrive -- [--stack-name FaxBridge] [--max <messages>]',
  '       npm run redrive -- --queue <dead-letter queue URL> --function <inbound function> [--max <messages>]',
].join('\n');

const OPTIONS = {
  'stack-name': { type: 'string', default: DEFAULT_STACK },
  queue: { type: 'string' },
  function: { type: 'string' },
  max: { type: 'string' },
} as const;

/** Long enough that a message left in the queue is not received again within one run. */
const VISIBILITY_SECONDS = 300;

export interface RedriveDeps {
  sqs: SQSClient;
  lambda: LambdaClient;
  cloudFormation: CloudFormationClient;
}

export interface RedriveTarget {
  queueUrl: string;
  functionName: string;
  /** Messages to take at most. */
  max: number;
}

export function runRedrive(
  argv: string[],
  io: Io = consoleIo,
  deps: RedriveDeps = defaultDeps(),
): Promise<number> {
  return runCommand(USAGE, io, async () => {
    const values = flags(argv, OPTIONS);
    const max = values.max === undefined ? Number.POSITIVE_INFINITY : Number(values.max);
    if (!(Number.isInteger(max) && max >= 1) && max !== Number.POSITIVE_INFINITY) {
      throw new UsageError(`--max ${values.max} is not a whole number of messages`);
    }
    if ((values.queue === undefined) !== (values.function === undefined)) {
      throw new UsageError('--queue and --function go together');
    }
    const named =
      values.queue && values.function
        ? { queueUrl: values.queue, functionName: values.function }
        : await fromStack(deps.cloudFormation, values['stack-name']);
    const { replayed, kept } = await redrive({ ...named, max }, deps, io);
    io.out(
      `replayed ${replayed} event${replayed === 1 ? '' : 's'}` +
        (kept > 0 ? `; ${kept} left in the dead-letter queue` : ''),
    );
    return kept > 0 ? 1 : 0;
  });
}

async function fromStack(cloudFormation: CloudFormationClient, stackName: string) {
  const outputs = await stackOutputs(
    cloudFormation,
    stackName,
    ['DeadLetterQueueUrl', 'InboundFunctionName'],
    'pass --queue and --function, or --stack-name <your stack>',
  );
  return { queueUrl: outputs.DeadLetterQueueUrl, functionName: outputs.InboundFunctionName };
}

/** Replays each dead letter; a message whose invocation Lambda did not accept stays queued. */
export async function redrive(
  target: RedriveTarget,
  { sqs, lambda }: Pick<RedriveDeps, 'sqs' | 'lambda'>,
  io: Io,
): Promise<{ replayed: number; kept: number }> {
  let replayed = 0;
  let kept = 0;
  while (replayed + kept < target.max) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: target.queueUrl,
        MaxNumberOfMessages: Math.min(10, target.max - replayed - kept),
        VisibilityTimeout: VISIBILITY_SECONDS,
        WaitTimeSeconds: 1,
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const outcome = await replay(message, target, lambda);
      if (outcome.replayed) {
        await sqs.send(
          new DeleteMessageCommand({
            QueueUrl: target.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
        replayed += 1;
        io.out(`replayed ${outcome.what}`);
      } else {
        kept += 1;
        io.err(`kept ${outcome.what}: ${outcome.why}`);
      }
    }
  }
  return { replayed, kept };
}

type Replay = { replayed: true; what: string } | { replayed: false; what: string; why: string };

async function replay(
  message: Message,
  target: RedriveTarget,
  lambda: LambdaClient,
): Promise<Replay> {
  const body = message.Body ?? '';
  const sesId = sesMessageId(body);
  const what = sesId
    ? `SES message ${sesId} (dead letter ${message.MessageId})`
    : `dead letter ${message.MessageId}`;
  if (!sesId) return { replayed: false, what, why: 'not an SES receipt event' };
  try {
    const { StatusCode } = await lambda.send(
      new InvokeCommand({
        FunctionName: target.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(body),
      }),
    );
    if (StatusCode === 202) return { replayed: true, what };
    return { replayed: false, what, why: `Lambda answered ${StatusCode}` };
  } catch (error) {
    return { replayed: false, what, why: error instanceof Error ? error.message : String(error) };
  }
}

/** The SES message id an event names: only events SES sent are replayed. */
function sesMessageId(body: string): string | undefined {
  try {
    const event = JSON.parse(body) as {
      Records?: { eventSource?: string; ses?: { mail?: { messageId?: unknown } } }[];
    };
    const record = event.Records?.[0];
    const id = record?.ses?.mail?.messageId;
    return record?.eventSource === 'aws:ses' && typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

function defaultDeps(): RedriveDeps {
  return {
    sqs: new SQSClient({}),
    lambda: new LambdaClient({}),
    cloudFormation: new CloudFormationClient({}),
  };
}

if (isMain(import.meta.url)) process.exitCode = await runRedrive(process.argv.slice(2));
