import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DISPATCH_VARIABLES, loadDispatchSettings } from '../../functions/config/dispatch-settings';
import { INBOUND_VARIABLES, loadInboundSettings } from '../../functions/config/inbound-settings';
import { loadReceiverSettings, RECEIVER_VARIABLES } from '../../functions/config/receiver-settings';
import { loadSweeperSettings, SWEEPER_VARIABLES } from '../../functions/config/sweeper-settings';
import { loadWebhookSettings, WEBHOOK_VARIABLES } from '../../functions/config/webhook-settings';
import { DeployConfigError } from '../../infra/config';
import type { FaxBridgeStack } from '../../infra/fax-bridge-stack';
import {
  actionsOf,
  bridgeStack,
  logicalIdOf,
  resourcesOf,
  roleStatements,
  type Statement,
} from './stack-fixture';

let stack: FaxBridgeStack;
let template: Template;

beforeAll(() => {
  ({ stack, template } = bridgeStack({
    attachFailedDocument: true,
    alarmEmail: 'ops@x.org',
    // Every optional setting given, so that each function's whole environment is checked.
    adminContact: 'IT desk, ext. 204',
    coverOrganisation: 'Example Clinic',
    coverPhone: '+13125550000',
    coverNotice: 'none',
    inboundRoutes: { '*': { to: ['admin@clinic.example'], delivery: 'link' } },
    inboundBlockedNumbers: '+13125550199',
  }));
});

const POLICY_TYPES = [
  'AWS::IAM::Policy',
  'AWS::S3::BucketPolicy',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
];

function allowStatements(): Statement[] {
  return POLICY_TYPES.flatMap((type) =>
    Object.values(template.findResources(type)).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    ),
  ).filter((s) => s.Effect === 'Allow');
}

const variables = (fn: IConstruct) =>
  template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]?.Properties.Environment
    .Variables as Record<string, unknown>;

/** Deploy-time references replaced by values of the kind CloudFormation will put there. */
const deployed = (vars: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(vars).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? value
        : key === 'WEBHOOK_URL' || key === 'PUBLIC_URL'
          ? 'https://abc123.lambda-url.us-east-1.on.aws/'
          : key.endsWith('_QUEUE_URL')
            ? `https://sqs.us-east-1.amazonaws.com/123456789012/${key.toLowerCase()}`
            : `deployed-${key.toLowerCase()}`,
    ]),
  );

const bridgeFunctions = () => ({
  inbound: stack.intake.fn.fn,
  dispatch: stack.dispatch.fn.fn,
  webhook: stack.webhook.fn.fn,
  sweeper: stack.sweeper.fn.fn,
  receiver: stack.receiver.fn.fn,
});

describe('FaxBridgeStack functions', () => {
  it('give every function settings that pass the functions own validation', () => {
    const { inbound, dispatch, webhook, sweeper, receiver } = bridgeFunctions();
    expect(loadReceiverSettings(deployed(variables(receiver)))).toMatchObject({
      flow: {
        routes: { '*': { to: ['admin@clinic.example'], delivery: 'link' } },
        blockedNumbers: ['+13125550199'],
        linkDays: 7,
        faxDomain: 'fax.example.com',
      },
      publicUrl: 'https://abc123.lambda-url.us-east-1.on.aws',
    });
    expect(loadInboundSettings(deployed(variables(inbound))).flow).toMatchObject({
      requireSenderAuth: true,
      faxDomains: ['fax.example.com'],
    });
    expect(loadDispatchSettings(deployed(variables(dispatch))).flow).toMatchObject({
      mediaUrlTtlSeconds: 900,
      channels: 2,
    });
    expect(loadWebhookSettings(deployed(variables(webhook))).flow).toMatchObject({
      attachFailedDocument: true,
      retry: { attempts: 3, delaySeconds: 300 },
    });
    expect(loadSweeperSettings(deployed(variables(sweeper))).flow).toMatchObject({
      sweepAfterSeconds: 1800,
      retry: { attempts: 3, delaySeconds: 300 },
    });
  });

  it('point every function at the deployed bucket, table and dispatch queue (the receiver sends no fax)', () => {
    const { receiver, ...senders } = bridgeFunctions();
    for (const fn of Object.values(bridgeFunctions())) {
      expect(variables(fn)).toMatchObject({
        FAX_BUCKET: { Ref: logicalIdOf(stack.files.bucket) },
        LEDGER_TABLE: { Ref: logicalIdOf(stack.ledger.table) },
        POWERTOOLS_SERVICE_NAME: 'fax-bridge',
      });
      expect(variables(fn).DISPATCH_QUEUE_URL).toEqual(
        Object.values(senders).includes(fn)
          ? { Ref: logicalIdOf(stack.dispatchQueue.queue) }
          : undefined,
      );
      // Source maps ship beside the bundle for decoding offline; loading them at run time made
      // the first error stack of an instance cost 109 ms and 89 MB.
      expect(variables(fn)).not.toHaveProperty('NODE_OPTIONS');
    }
  });

  it('point the functions that call Telnyx at the API key, and all but the inbound one at the client_state key', () => {
    const { inbound, dispatch, webhook, sweeper, receiver } = bridgeFunctions();
    const apiKey = { Ref: logicalIdOf(stack.apiKey.node.findChild('Secret')) };
    const clientState = { Ref: logicalIdOf(stack.clientStateSecret.secret) };
    for (const fn of [dispatch, sweeper, receiver]) {
      expect(variables(fn)).toMatchObject({
        TELNYX_API_KEY_SECRET: apiKey,
        CLIENT_STATE_SECRET_ID: clientState,
      });
    }
    expect(variables(webhook).CLIENT_STATE_SECRET_ID).toEqual(clientState);
    expect(variables(webhook)).not.toHaveProperty('TELNYX_API_KEY_SECRET');
    expect(variables(inbound)).not.toHaveProperty('TELNYX_API_KEY_SECRET');
    expect(variables(inbound)).not.toHaveProperty('CLIENT_STATE_SECRET_ID');
  });

  it('hand the retry, channel and sweep settings to the functions that use them', () => {
    const { dispatch, webhook, sweeper } = bridgeFunctions();
    const custom = bridgeStack({
      telnyxChannels: 10,
      retryAttempts: 1,
      retryDelaySeconds: 600,
      sweepIntervalSeconds: 300,
      sweepAfterSeconds: 3600,
    });
    const vars = (fn: IConstruct) =>
      custom.template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]?.Properties
        .Environment.Variables;
    expect(vars(custom.stack.webhook.fn.fn)).toMatchObject({
      TELNYX_CHANNELS: '10',
      RETRY_ATTEMPTS: '1',
      RETRY_DELAY_SECONDS: '600',
    });
    expect(vars(custom.stack.sweeper.fn.fn)).toMatchObject({
      TELNYX_CHANNELS: '10',
      SWEEP_INTERVAL_SECONDS: '300',
      SWEEP_AFTER_SECONDS: '3600',
    });
    expect(vars(custom.stack.dispatch.fn.fn)).toMatchObject({
      TELNYX_CHANNELS: '10',
      SWEEP_INTERVAL_SECONDS: '300',
    });
    // The defaults, written out so that nothing is left to a function's own fallback.
    expect(variables(sweeper)).toMatchObject({
      SWEEP_INTERVAL_SECONDS: '600',
      SWEEP_AFTER_SECONDS: '1800',
    });
    expect(variables(webhook)).toMatchObject({ RETRY_ATTEMPTS: '3', RETRY_DELAY_SECONDS: '300' });
    expect(variables(dispatch).TELNYX_CHANNELS).toBe('2');
  });

  it('give each function only the settings it reads, so each one starts with them', () => {
    const own = (fn: Parameters<typeof variables>[0]) =>
      Object.keys(variables(fn)).filter(
        (name) => !name.startsWith('POWERTOOLS_') && name !== 'NODE_OPTIONS',
      );
    // The keys themselves are for the local mode; on AWS the functions read them from secrets.
    // TELNYX_API_URL keeps its default, Telnyx's own API.
    const notDeployed: readonly string[] = [
      'TELNYX_API_KEY',
      'CLIENT_STATE_SECRET',
      'TELNYX_API_URL',
    ];
    const deployedOf = (names: readonly string[]) =>
      names.filter((name) => !notDeployed.includes(name)).sort();
    const { inbound, dispatch, webhook, sweeper, receiver } = bridgeFunctions();
    expect(own(inbound).sort()).toEqual(deployedOf(INBOUND_VARIABLES));
    expect(own(receiver).sort()).toEqual(deployedOf(RECEIVER_VARIABLES));
    expect(own(dispatch).sort()).toEqual(deployedOf(DISPATCH_VARIABLES));
    expect(own(webhook).sort()).toEqual(deployedOf(WEBHOOK_VARIABLES));
    expect(own(sweeper).sort()).toEqual(deployedOf(SWEEPER_VARIABLES));
  });

  it('tell Telnyx, through the dispatch function, to send webhooks to the Function URL', () => {
    const urlId = logicalIdOf(stack.webhook.functionUrl);
    expect(variables(stack.dispatch.fn.fn).WEBHOOK_URL).toEqual({
      'Fn::GetAtt': [urlId, 'FunctionUrl'],
    });
    for (const fn of [stack.intake.fn.fn, stack.webhook.fn.fn, stack.sweeper.fn.fn]) {
      expect(variables(fn).WEBHOOK_URL).toBeUndefined();
    }
  });

  it('hand received faxes from the webhook to the receiver through the fax-in queue, and point their links at the Function URL', () => {
    const faxIn = { Ref: logicalIdOf(stack.faxInQueue.queue) };
    const withQueue = Object.entries(bridgeFunctions())
      .filter(([, fn]) => variables(fn).FAX_IN_QUEUE_URL !== undefined)
      .map(([name, fn]) => [name, variables(fn).FAX_IN_QUEUE_URL]);
    expect(withQueue).toEqual([['webhook', faxIn]]);
    expect(variables(stack.receiver.fn.fn).PUBLIC_URL).toEqual({
      'Fn::GetAtt': [logicalIdOf(stack.webhook.functionUrl), 'FunctionUrl'],
    });
  });
});

describe('FaxBridgeStack permissions', () => {
  it('grant no wildcard action anywhere (no s3:*, no dynamodb:*)', () => {
    const wildcards = allowStatements()
      .flatMap(actionsOf)
      .filter((a) => a.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('use Resource * only for the active receipt rule set, whose actions have no resource type', () => {
    const unscoped = allowStatements().filter((s) => resourcesOf(s).includes('*'));
    expect(unscoped.map(actionsOf)).toEqual([
      ['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet'],
    ]);
  });

  it('never allow an anonymous principal through a resource policy', () => {
    const anonymous = allowStatements().filter((s) =>
      [JSON.stringify('*'), JSON.stringify({ AWS: '*' })].includes(JSON.stringify(s.Principal)),
    );
    expect(anonymous).toEqual([]);
  });

  it('keep every bucket closed to the public', () => {
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      expect(bucket.Properties.AccessControl).toBeUndefined();
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('let the inbound function queue faxes but never read the Telnyx API key or the client_state key', () => {
    const statements = roleStatements(template, stack.intake.fn.role);
    const secretReads = statements.filter((s) =>
      actionsOf(s).includes('secretsmanager:GetSecretValue'),
    );
    expect(secretReads).toEqual([]);
    const sends = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
    expect(sends.flatMap(resourcesOf)).toContainEqual({
      'Fn::GetAtt': [logicalIdOf(stack.dispatchQueue.queue), 'Arn'],
    });
  });

  it.each([
    ['dispatch', 'dispatch', ['inbound', 'dispatch', 'webhook', 'sweeper']],
    ['fax-in', 'receiver', ['webhook']],
  ] as const)(
    'let only one function take messages off the %s queue, the %s function, and only those that must send to it',
    (queue, consumer, senders) => {
      const queueArn = JSON.stringify({
        'Fn::GetAtt': [
          logicalIdOf(queue === 'dispatch' ? stack.dispatchQueue.queue : stack.faxInQueue.queue),
          'Arn',
        ],
      });
      const roles = {
        inbound: stack.intake.fn.role,
        dispatch: stack.dispatch.fn.role,
        webhook: stack.webhook.fn.role,
        sweeper: stack.sweeper.fn.role,
        receiver: stack.receiver.fn.role,
      };
      const allowed = (action: string) =>
        Object.entries(roles)
          .filter(([, role]) =>
            roleStatements(template, role).some(
              (s) =>
                actionsOf(s).includes(action) &&
                resourcesOf(s).some((r) => JSON.stringify(r) === queueArn),
            ),
          )
          .map(([name]) => name);
      expect(allowed('sqs:ReceiveMessage')).toEqual([consumer]);
      expect(allowed('sqs:SendMessage')).toEqual(senders);
    },
  );

  it('open only the webhook function to anonymous callers, through its URL', () => {
    const open = Object.values(
      template.findResources('AWS::Lambda::Permission', { Properties: { Principal: '*' } }),
    ).map((p) => p.Properties.FunctionName);
    const webhookArn = { 'Fn::GetAtt': [logicalIdOf(stack.webhook.fn.fn), 'Arn'] };
    expect(open).toEqual([webhookArn, webhookArn]);
  });
});

describe('FaxBridgeStack outputs', () => {
  it('give the webhook URL, bucket, table, dead-letter queue and next steps', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.WebhookUrl?.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(stack.webhook.functionUrl), 'FunctionUrl'],
    });
    expect(outputs.FaxBucketName?.Value).toEqual({ Ref: logicalIdOf(stack.files.bucket) });
    expect(outputs.AccessLogBucketName?.Value).toEqual({
      Ref: logicalIdOf(stack.files.accessLogs),
    });
    expect(outputs.LedgerTableName?.Value).toEqual({ Ref: logicalIdOf(stack.ledger.table) });
    expect(outputs.DeadLetterQueueUrl?.Value).toEqual({
      Ref: logicalIdOf(stack.intake.deadLetterQueue),
    });
    expect(outputs.DispatchDeadLetterQueueUrl?.Value).toEqual({
      Ref: logicalIdOf(stack.dispatchQueue.deadLetterQueue),
    });
    expect(outputs.FaxInDeadLetterQueueUrl?.Value).toEqual({
      Ref: logicalIdOf(stack.faxInQueue.deadLetterQueue),
    });
    expect(outputs.InboundFunctionName?.Value).toEqual({ Ref: logicalIdOf(stack.intake.fn.fn) });
    expect(outputs.NextSteps?.Value).toBe(
      '1) run SetTelnyxApiKeyCommand; 2) add every Dns* record to your DNS; ' +
        '3) set WebhookUrl as the webhook URL of your Telnyx fax application, and assign your fax number to that application to receive faxes; ' +
        '4) confirm the alarm subscription sent to ops@x.org; ' +
        '5) email a PDF to <fax number>@fax.example.com from an allowed sender',
    );
  });

  it('leave out the steps that settings already took care of', () => {
    const { template: done } = bridgeStack({
      telnyxApiKeySecret: 'fax-bridge/telnyx',
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example.com',
    });
    expect(done.findOutputs('NextSteps').NextSteps?.Value).toBe(
      '1) set WebhookUrl as the webhook URL of your Telnyx fax application, and assign your fax number to that application to receive faxes; ' +
        '2) email a PDF to <fax number>@fax.example.com from an allowed sender',
    );
  });

  it('name the log group each function writes to, for aws logs tail', () => {
    const outputs = template.findOutputs('*');
    const functions = template.findResources('AWS::Lambda::Function');
    const activation = stack.intake.activation;
    if (!activation) throw new Error('create-and-activate has no activation');
    for (const [output, fn, group] of [
      ['InboundLogGroupName', stack.intake.fn.fn, stack.intake.fn.logGroup],
      ['DispatchLogGroupName', stack.dispatch.fn.fn, stack.dispatch.fn.logGroup],
      ['WebhookLogGroupName', stack.webhook.fn.fn, stack.webhook.fn.logGroup],
      ['SweeperLogGroupName', stack.sweeper.fn.fn, stack.sweeper.fn.logGroup],
      ['ReceiverLogGroupName', stack.receiver.fn.fn, stack.receiver.fn.logGroup],
      ['ActivationLogGroupName', activation.fn, activation.logGroup],
    ] as const) {
      const ref = { Ref: logicalIdOf(group) };
      expect(outputs[output]?.Value).toEqual(ref);
      expect(functions[logicalIdOf(fn)]?.Properties.LoggingConfig.LogGroup).toEqual(ref);
    }
  });

  it('link the dashboard', () => {
    const url = JSON.stringify(template.findOutputs('DashboardUrl').DashboardUrl?.Value);
    expect(url).toContain('.console.aws.amazon.com/cloudwatch/home?region=');
    expect(url).toContain('#dashboards/dashboard/');
    expect(url).toContain(logicalIdOf(stack.dashboard.dashboard));
  });
});

describe('FaxBridgeStack deploy guards', () => {
  it('refuse, before creating anything, a region where SES receives no email', () => {
    const rule = template.toJSON().Rules?.SesReceivingRegion;
    expect(rule?.Assertions).toEqual([
      {
        Assert: {
          'Fn::Contains': [
            expect.arrayContaining(['us-east-1', 'eu-west-1', 'us-west-2']),
            { Ref: 'AWS::Region' },
          ],
        },
        AssertDescription: expect.stringMatching(
          /needs a region where SES receives email.*us-east-1/,
        ),
      },
    ]);
    const regions = rule?.Assertions[0].Assert['Fn::Contains'][0] as string[];
    expect(regions).not.toContain('eu-west-3');
  });

  it('stop a synth whose settings would not fit in a function environment, naming what to shorten', () => {
    const everyone = Array.from({ length: 200 }, (_, i) => `person${i}@example.org`).join(',');
    expect(() => bridgeStack({ allowedSenders: everyone })).toThrowError(DeployConfigError);
    expect(() => bridgeStack({ allowedSenders: everyone })).toThrowError(
      /more than the 4 KB Lambda allows.*ALLOWED_SENDERS.*list whole domains as @example\.org/,
    );
    expect(() => bridgeStack({ allowedSenders: '@example.org' })).not.toThrow();
  });

  it('stop a synth whose routes would not fit in the receiver’s environment, naming inboundRoutes', () => {
    const routes = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `+1312555${String(i).padStart(4, '0')}`,
        { to: [`frontdesk${i}@clinic.example`, `records${i}@clinic.example`], delivery: 'attach' },
      ]),
    );
    expect(() => bridgeStack({ inboundRoutes: routes })).toThrowError(
      /receiver function's settings take about \d+ bytes.*INBOUND_ROUTES.*inboundRoutes/,
    );
  });
});
