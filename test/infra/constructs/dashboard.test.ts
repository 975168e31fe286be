import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Counters, Observability } from '../../../functions/adapters/observability';
import type { ReceivedOutcome } from '../../../functions/core/fax-in/deliver-received-fax';
import { reportDispatch } from '../../../functions/fax-dispatch/outcome-report';
import {
  reportFailedArrival,
  reportReceived,
} from '../../../functions/fax-receiver/outcome-report';
import { reportWebhook } from '../../../functions/fax-webhook/outcome-report';
import { reportInbound } from '../../../functions/inbound-email/outcome-report';
import type { FaxBridgeStack } from '../../../infra/fax-bridge-stack';
import { recordingLog } from '../../support/memory-ports';
import { bridgeStack, logicalIdOf } from '../stack-fixture';

let stack: FaxBridgeStack;
let template: Template;
let body: string;

beforeAll(() => {
  ({ stack, template } = bridgeStack());
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  // The body is a Fn::Join of JSON text and references inside its strings: each reference is
  // written here as the logical id it names.
  const parts = dashboard?.Properties.DashboardBody['Fn::Join'][1] as (
    | string
    | { Ref?: string; 'Fn::GetAtt'?: string[] }
  )[];
  body = parts
    .map((p) => (typeof p === 'string' ? p : (p.Ref ?? p['Fn::GetAtt']?.[0] ?? 'deploy-time')))
    .join('');
});

/** The widgets' metrics, each as [namespace, name, ...dimension name/value pairs, options]. */
const widgets = () =>
  (
    JSON.parse(body) as {
      widgets: { properties: { title: string; metrics: unknown[][] } }[];
    }
  ).widgets.map((w) => w.properties);

/** A received fax ending each way it can, so that each of its metrics is published. */
const RECEIVED_OUTCOMES: ReceivedOutcome[] = [
  {
    first: true,
    kind: 'emails_pending',
    mode: 'attach',
    emails: { sent: 1, alreadySent: 0, held: 0, failed: 1 },
  },
  { first: false, kind: 'blocked' },
  { first: false, kind: 'unrouted' },
  { first: false, kind: 'fetch_failed', detail: 'HTTP 500' },
];

/** Every metric name the functions publish, from outcomes of each kind. */
function publishedNames(): Set<string> {
  const names = new Set<string>();
  const counters: Counters = { count: (name) => names.add(name), flush() {} };
  const log = { ...recordingLog(), appendKeys() {}, removeKeys() {}, addContext() {} };
  const observability = { log, counters } as Observability;
  reportInbound(
    {
      kind: 'faxed',
      pages: 2,
      noticeSent: true,
      results: [{ kind: 'queued', e164: '+13125550100', faxId: 'f1' }],
    },
    observability,
  );
  reportDispatch({ kind: 'sent', faxId: 'f1' }, observability);
  reportDispatch({ kind: 'not_sent', code: 'api_key_refused' }, observability);
  reportDispatch({ kind: 'not_sent', code: 'api_key_unreadable' }, observability);
  reportInbound(
    { kind: 'refused', refusal: { code: 'no_document' }, noticeSent: true },
    observability,
  );
  reportInbound({ kind: 'dropped', reason: 'no_fax_recipient' }, observability);
  reportWebhook({ kind: 'result_sent', status: 'delivered' }, observability);
  reportWebhook({ kind: 'result_sent', status: 'failed' }, observability);
  for (const outcome of RECEIVED_OUTCOMES) reportReceived('fax-1', outcome, observability);
  reportFailedArrival('fax-2', { kind: 'unrouted' }, observability);
  return names;
}

describe('BridgeDashboard', () => {
  it('graphs faxes requested, delivered and failed, and pages', () => {
    const faxes = widgets().find((w) => w.title === 'Faxes');
    const names = faxes?.metrics.map((m) => m[1]);
    expect(names).toEqual(['FaxesRequested', 'FaxesDelivered', 'FaxesFailed', 'Pages']);
    for (const metric of faxes?.metrics ?? []) {
      expect(metric.slice(0, 4)).toEqual([
        'FaxBridge',
        expect.any(String),
        'service',
        'fax-bridge',
      ]);
    }
  });

  it('graphs refusals by code, failures and drops by reason with a search, so new codes show', () => {
    const expressions = widgets()
      .flatMap((w) => w.metrics)
      .map((m) => (m[0] as { expression?: string }).expression)
      .filter(Boolean);
    expect(expressions).toEqual([
      `SEARCH('{FaxBridge,reason,service} MetricName="Refusals"', 'Sum', 3600)`,
      `SEARCH('{FaxBridge,reason,service} MetricName="FaxFailures"', 'Sum', 3600)`,
      `SEARCH('{FaxBridge,reason,service} MetricName="Drops"', 'Sum', 3600)`,
    ]);
  });

  it('graphs both dead-letter queues, every function’s errors, throttles and durations, and the API key', () => {
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
    expect(body).toContain(logicalIdOf(stack.intake.deadLetterQueue));
    expect(body).toContain(logicalIdOf(stack.dispatchQueue.deadLetterQueue));
    for (const fn of [stack.intake, stack.dispatch, stack.webhook, stack.sweeper, stack.receiver]) {
      expect(body).toContain(logicalIdOf(fn.fn.fn));
    }
    for (const name of ['Errors', 'Throttles', 'Duration', 'Url5xxCount']) {
      expect(body).toContain(`"${name}"`);
    }
    expect(body).toContain('"TelnyxApiKeyRefused"');
    expect(body).toContain('"TelnyxApiKeyUnreadable"');
  });

  it('graphs the dispatch queue: faxes waiting, being dispatched, and the oldest one’s age', () => {
    const queue = widgets().find((w) => w.title === 'Dispatch queue');
    expect(queue?.metrics.map((m) => m.slice(0, 4))).toEqual(
      [
        'ApproximateNumberOfMessagesVisible',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateAgeOfOldestMessage',
      ].map((name) => ['AWS/SQS', name, 'QueueName', logicalIdOf(stack.dispatchQueue.queue)]),
    );
  });

  it('graphs faxes received, unrouted and blocked, documents not fetched, emails SES refused and the fax-in dead letters', () => {
    const received = widgets().find((w) => w.title === 'Faxes received');
    expect(received?.metrics.map((m) => m.slice(0, 2))).toEqual([
      ['FaxBridge', 'FaxesReceived'],
      ['FaxBridge', 'UnroutedFaxes'],
      ['FaxBridge', 'BlockedFaxes'],
      ['FaxBridge', 'FaxFetchFailures'],
      ['FaxBridge', 'ReceivedFaxEmailsFailed'],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible'],
    ]);
    expect(JSON.stringify(received?.metrics.at(-1))).toContain(
      logicalIdOf(stack.faxInQueue.deadLetterQueue),
    );
  });

  it('graphs only metrics the functions publish', () => {
    const published = publishedNames();
    const graphed = widgets()
      .flatMap((w) => w.metrics)
      .filter((m) => m[0] === 'FaxBridge')
      .map((m) => String(m[1]));
    expect(graphed.length).toBeGreaterThan(0);
    expect(graphed.filter((name) => !published.has(name))).toEqual([]);
    for (const searched of ['Refusals', 'Drops']) expect(published).toContain(searched);
  });
});
