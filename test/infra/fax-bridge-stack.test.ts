import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_VARIABLES, loadInboundSettings } from '../../functions/config/inbound-settings';
import { loadWebhookSettings, WEBHOOK_VARIABLES } from '../../functions/config/webhook-settings';
import { DeployConfigError } from '../../infra/config';
import type { FaxBridgeStack } from '../../infra/fax-bridge-stack';
import { actionsOf, bridgeStack, logicalIdOf, resourcesOf, type Statement } from './stack-fixture';

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
        : key === 'WEBHOOK_URL'
          ? 'https://abc123.lambda-url.us-east-1.on.aws/'
          : `deployed-${key.toLowerCase()}`,
    ]),
  );

describe('FaxBridgeStack functions', () => {
  it('give both functions settings that pass the functions own validation', () => {
    expect(loadInboundSettings(deployed(variables(stack.intake.fn.fn))).flow).toMatchObject({
      requireSenderAuth: true,
      mediaUrlTtlSeconds: 900,
      faxDomains: ['fax.example.com'],
    });
    expect(loadWebhookSettings(deployed(variables(stack.webhook.fn.fn))).flow).toMatchObject({
      attachFailedDocument: true,
    });
  });

  it('point both functions at the deployed bucket, table and client_state key, and the inbound one at the API key', () => {
    for (const fn of [stack.intake.fn.fn, stack.webhook.fn.fn]) {
      expect(variables(fn)).toMatchObject({
        FAX_BUCKET: { Ref: logicalIdOf(stack.files.bucket) },
        LEDGER_TABLE: { Ref: logicalIdOf(stack.ledger.table) },
        CLIENT_STATE_SECRET_ID: { Ref: logicalIdOf(stack.clientStateSecret.secret) },
        POWERTOOLS_SERVICE_NAME: 'fax-bridge',
      });
      // Source maps ship beside the bundle for decoding offline; loading them at run time made
      // the first error stack of an instance cost 109 ms and 89 MB.
      expect(variables(fn)).not.toHaveProperty('NODE_OPTIONS');
    }
    expect(variables(stack.intake.fn.fn).TELNYX_API_KEY_SECRET).toEqual({
      Ref: logicalIdOf(stack.apiKey.node.findChild('Secret')),
    });
  });

  it('give each function only the settings it reads, so each one starts with them', () => {
    const own = (fn: Parameters<typeof variables>[0]) =>
      Object.keys(variables(fn)).filter(
        (name) => !name.startsWith('POWERTOOLS_') && name !== 'NODE_OPTIONS',
      );
    // The keys themselves are for the local mode; on AWS the functions read them from secrets.
    const localOnly = ['TELNYX_API_KEY', 'CLIENT_STATE_SECRET'];
    expect(own(stack.intake.fn.fn).sort()).toEqual(
      INBOUND_VARIABLES.filter(
        (name) => !localOnly.includes(name) && name !== 'TELNYX_API_URL',
      ).sort(),
    );
    expect(own(stack.webhook.fn.fn).sort()).toEqual(
      WEBHOOK_VARIABLES.filter((name) => !localOnly.includes(name)).sort(),
    );
  });

  it('tell Telnyx, through the inbound function, to send webhooks to the Function URL', () => {
    const urlId = logicalIdOf(stack.webhook.functionUrl);
    expect(variables(stack.intake.fn.fn).WEBHOOK_URL).toEqual({
      'Fn::GetAtt': [urlId, 'FunctionUrl'],
    });
    expect(variables(stack.webhook.fn.fn).WEBHOOK_URL).toBeUndefined();
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
    expect(outputs.InboundFunctionName?.Value).toEqual({ Ref: logicalIdOf(stack.intake.fn.fn) });
    expect(outputs.NextSteps?.Value).toBe(
      '1) run SetTelnyxApiKeyCommand; 2) add every Dns* record to your DNS; ' +
        '3) set WebhookUrl as the webhook URL of your Telnyx fax application; ' +
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
      '1) set WebhookUrl as the webhook URL of your Telnyx fax application; ' +
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
      ['WebhookLogGroupName', stack.webhook.fn.fn, stack.webhook.fn.logGroup],
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
});
