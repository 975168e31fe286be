// Small stand-ins for the AWS APIs the operator commands and the rule set activation call, each
// answering only the calls those make, as the real service's protocol has them: SES v1 and
// CloudFormation (Query, XML answers), SQS (JSON 1.0), Lambda (REST JSON). The AWS SDK clients
// run against them unchanged, pointed at `url` as their endpoint.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { startTestServer } from './test-server';

export interface StandInRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = { status: number; body: string; headers?: Record<string, string> };

export interface HttpStandIn {
  url: string;
  requests: StandInRequest[];
  stop(): Promise<void>;
}

/** An HTTP server on a free local port that answers each request with `answer`. */
export async function startHttpStandIn(
  answer: (request: StandInRequest) => Answer | Promise<Answer>,
): Promise<HttpStandIn> {
  const requests: StandInRequest[] = [];
  const server = await startTestServer((received, res) => {
    const request = { ...received, body: received.body.toString('utf8') };
    requests.push(request);
    Promise.resolve()
      .then(() => answer(request))
      .then(
        ({ status, body, headers }) => res.writeHead(status, headers).end(body),
        (error: unknown) => res.writeHead(500).end(String(error)),
      );
  });
  return { url: server.url, requests, stop: server.close };
}

const xml = (status: number, body: string): Answer => ({
  status,
  body,
  headers: { 'content-type': 'text/xml' },
});

const queryError = (status: number, code: string, message: string) =>
  xml(
    status,
    `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message>` +
      `</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );

/** A Query API answer: `<Action>Response` holding `<Action>Result`. */
const queryAnswer = (action: string, namespace: string, result: string) =>
  xml(
    200,
    `<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  );

export interface SesReceiptStandIn extends HttpStandIn {
  /** The active rule set, as SES would report it now. */
  active(): string | undefined;
  /** The SetActiveReceiptRuleSet calls, in order (undefined: deactivate). */
  activations: (string | undefined)[];
}

/** SES v1's receipt rule sets: DescribeActiveReceiptRuleSet and SetActiveReceiptRuleSet. */
export async function startSesReceiptStandIn(state: {
  ruleSets: string[];
  active?: string;
}): Promise<SesReceiptStandIn> {
  let active = state.active;
  const activations: (string | undefined)[] = [];
  const namespace = 'http://ses.amazonaws.com/doc/2010-12-01/';
  const server = await startHttpStandIn(({ body }) => {
    const params = new URLSearchParams(body);
    switch (params.get('Action')) {
      case 'DescribeActiveReceiptRuleSet':
        return queryAnswer(
          'DescribeActiveReceiptRuleSet',
          namespace,
          active
            ? `<Metadata><Name>${active}</Name><CreatedTimestamp>2026-01-05T10:00:00Z</CreatedTimestamp></Metadata><Rules/>`
            : '',
        );
      case 'SetActiveReceiptRuleSet': {
        const name = params.get('RuleSetName') ?? undefined;
        if (name && !state.ruleSets.includes(name)) {
          return queryError(400, 'RuleSetDoesNotExist', `Rule set does not exist: ${name}`);
        }
        activations.push(name);
        active = name;
        return queryAnswer('SetActiveReceiptRuleSet', namespace, '');
      }
      default:
        return queryError(400, 'InvalidAction', `not stood in for: ${params.get('Action')}`);
    }
  });
  return { ...server, active: () => active, activations };
}

/** CloudFormation's DescribeStacks, for stacks with these outputs. */
export async function startCloudFormationStandIn(
  stacks: Record<string, Record<string, string>>,
): Promise<HttpStandIn> {
  return startHttpStandIn(({ body }) => {
    const params = new URLSearchParams(body);
    const name = params.get('StackName') ?? '';
    const outputs = stacks[name];
    if (params.get('Action') !== 'DescribeStacks' || !outputs) {
      return queryError(400, 'ValidationError', `Stack with id ${name} does not exist`);
    }
    const members = Object.entries(outputs)
      .map(
        ([key, value]) =>
          `<member><OutputKey>${key}</OutputKey><OutputValue>${value}</OutputValue></member>`,
      )
      .join('');
    return queryAnswer(
      'DescribeStacks',
      'http://cloudformation.amazonaws.com/doc/2010-05-15/',
      `<Stacks><member><StackName>${name}</StackName><StackStatus>UPDATE_COMPLETE</StackStatus>` +
        `<CreationTime>2026-01-05T10:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks>`,
    );
  });
}

interface QueuedMessage {
  id: string;
  body: string;
  receipt?: string;
  invisibleUntil: number;
}

export interface SqsStandIn extends HttpStandIn {
  queueUrl: string;
  send(body: string): void;
  /** The bodies still in the queue, visible or not. */
  bodies(): string[];
}

/** One SQS queue: ReceiveMessage (with a visibility timeout) and DeleteMessage, in JSON 1.0. */
export async function startSqsStandIn(): Promise<SqsStandIn> {
  const messages: QueuedMessage[] = [];
  let queueUrl = '';
  const json = (status: number, value: unknown): Answer => ({
    status,
    body: JSON.stringify(value),
    headers: { 'content-type': 'application/x-amz-json-1.0' },
  });
  const server = await startHttpStandIn(({ headers, body }) => {
    const input = JSON.parse(body || '{}') as Record<string, unknown>;
    if (input.QueueUrl !== queueUrl) {
      return json(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'no queue' });
    }
    const now = Date.now();
    switch (String(headers['x-amz-target'])) {
      case 'AmazonSQS.ReceiveMessage': {
        const visible = messages
          .filter((m) => m.invisibleUntil <= now)
          .slice(0, Number(input.MaxNumberOfMessages ?? 1));
        const timeout = Number(input.VisibilityTimeout ?? 30) * 1000;
        for (const m of visible) {
          m.receipt = randomUUID();
          m.invisibleUntil = now + timeout;
        }
        return json(200, {
          Messages: visible.map((m) => ({
            MessageId: m.id,
            ReceiptHandle: m.receipt,
            MD5OfBody: createHash('md5').update(m.body).digest('hex'),
            Body: m.body,
          })),
        });
      }
      case 'AmazonSQS.DeleteMessage': {
        const at = messages.findIndex((m) => m.receipt === input.ReceiptHandle);
        if (at >= 0) messages.splice(at, 1);
        return json(200, {});
      }
      default:
        return json(400, { __type: 'com.amazonaws.sqs#InvalidAction', message: 'not stood in' });
    }
  });
  queueUrl = `${server.url}/123456789012/FaxBridge-DeadLetterQueue`;
  return {
    ...server,
    queueUrl,
    send: (body) => messages.push({ id: randomUUID(), body, invisibleUntil: 0 }),
    bodies: () => messages.map((m) => m.body),
  };
}

export interface LambdaStandIn extends HttpStandIn {
  /** The payloads of the asynchronous invocations Lambda accepted, by function name. */
  accepted: { functionName: string; payload: string }[];
}

/**
 * Lambda's Invoke. An asynchronous invocation is answered 202, or with `refuse`'s status when it
 * returns one for the payload (429 throttled, 500 service error…).
 */
export async function startLambdaStandIn(
  refuse: (payload: string) => number | undefined = () => undefined,
): Promise<LambdaStandIn> {
  const accepted: LambdaStandIn['accepted'] = [];
  const server = await startHttpStandIn(({ method, path, headers, body }) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(path);
    if (method !== 'POST' || !match?.[1]) return { status: 404, body: '{}' };
    if (headers['x-amz-invocation-type'] !== 'Event') {
      return { status: 400, body: '{"message":"only asynchronous invocations are stood in"}' };
    }
    const status = refuse(body);
    if (status) {
      return {
        status,
        body: JSON.stringify({ message: 'Rate exceeded' }),
        headers: {
          'x-amzn-errortype': status === 429 ? 'TooManyRequestsException' : 'ServiceException',
        },
      };
    }
    accepted.push({ functionName: decodeURIComponent(match[1]), payload: body });
    return { status: 202, body: '' };
  });
  return { ...server, accepted };
}
