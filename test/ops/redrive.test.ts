import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/stand-ins';
import { runRedrive } from '../../ops/redrive';
import {
  type HttpStandIn,
  type LambdaStandIn,
  type SqsStandIn,
  startCloudFormationStandIn,
  startLambdaStandIn,
  startSqsStandIn,
} from '../support/aws-api-stand-ins';
import { sesEvent } from '../support/ses-event';

const client = { region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
const running: HttpStandIn[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

const deadLetter = (messageId: string) =>
  JSON.stringify(
    sesEvent({
      messageId,
      source: 'alice@example.com',
      recipients: ['+13125550100@fax.example.com'],
    }),
  );

async function setUp(refuse?: (payload: string) => number | undefined) {
  const queue: SqsStandIn = await startSqsStandIn();
  const lambda: LambdaStandIn = await startLambdaStandIn(refuse);
  const cloudFormation = await startCloudFormationStandIn({
    FaxBridge: {
      DeadLetterQueueUrl: queue.queueUrl,
      InboundFunctionName: 'FaxBridge-MailIntakeInbound-abc123',
    },
  });
  running.push(queue, lambda, cloudFormation);
  const out: string[] = [];
  const err: string[] = [];
  const run = (argv: string[]) =>
    runRedrive(
      argv,
      { out: (l) => out.push(l), err: (l) => err.push(l) },
      {
        sqs: new SQSClient({ ...client, endpoint: queue.url }),
        lambda: new LambdaClient({ ...client, endpoint: lambda.url }),
        cloudFormation: new CloudFormationClient({ ...client, endpoint: cloudFormation.url }),
      },
    );
  return { queue, lambda, out, err, run };
}

describe('npm run redrive', () => {
  it('invokes the inbound function the stack names with each dead-lettered event, as it was', async () => {
    const { queue, lambda, out, run } = await setUp();
    const events = ['ses-1', 'ses-2', 'ses-3'].map(deadLetter);
    for (const event of events) queue.send(event);
    expect(await run([])).toBe(0);
    expect(lambda.accepted).toEqual(
      events.map((payload) => ({ functionName: 'FaxBridge-MailIntakeInbound-abc123', payload })),
    );
    expect(queue.bodies()).toEqual([]);
    expect(out.at(-1)).toBe('replayed 3 events');
    expect(out[0]).toMatch(/^replayed SES message ses-1 \(dead letter /);
  });

  it('deletes a message only once Lambda accepted its invocation', async () => {
    const { queue, lambda, err, run } = await setUp((payload) =>
      payload.includes('"ses-2"') ? 429 : undefined,
    );
    for (const id of ['ses-1', 'ses-2', 'ses-3']) queue.send(deadLetter(id));
    expect(await run([])).toBe(1);
    expect(lambda.accepted.map((a) => JSON.parse(a.payload).Records[0].ses.mail.messageId)).toEqual(
      ['ses-1', 'ses-3'],
    );
    expect(queue.bodies()).toEqual([deadLetter('ses-2')]);
    expect(err).toEqual([expect.stringMatching(/^kept SES message ses-2 .*: Rate exceeded/)]);
  });

  it('leaves alone what is not an SES event, and stops at --max', async () => {
    const { queue, lambda, run } = await setUp();
    queue.send('{"not":"ses"}');
    queue.send(deadLetter('ses-1'));
    queue.send(deadLetter('ses-2'));
    expect(await run(['--max', '2'])).toBe(1);
    expect(lambda.accepted).toHaveLength(1);
    expect(queue.bodies()).toEqual(['{"not":"ses"}', deadLetter('ses-2')]);
  });

  it('takes the queue and function given instead of the stack’s', async () => {
    const { queue, lambda, run } = await setUp();
    queue.send(deadLetter('ses-1'));
    expect(await run(['--queue', queue.queueUrl, '--function', 'other-inbound'])).toBe(0);
    expect(lambda.accepted.map((a) => a.functionName)).toEqual(['other-inbound']);
  });

  it.each([[['--queue', 'https://sqs/q']], [['--max', 'all']], [['--bogus']], [['stray']]])(
    'prints the usage and exits 2 for %j',
    async (argv) => {
      const { err, run } = await setUp();
      expect(await run(argv)).toBe(2);
      expect(err.at(-1)).toMatch(/^usage: npm run redrive/);
    },
  );

  it('says what to pass when the stack is not there', async () => {
    const { err, run } = await setUp();
    expect(await run(['--stack-name', 'FaxBridgeTest'])).toBe(1);
    expect(err).toEqual([
      expect.stringMatching(/stack FaxBridgeTest .*pass --queue and --function/),
    ]);
  });
});
