import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bridgeStack, repoRoot } from './stack-fixture';

type App = ReturnType<typeof bridgeStack>['app'];

/** HIPAA Security findings the design accepts; the deploy guide gives the reason for each. */
const ACCEPTED_HIPAA_FINDINGS = [
  'HIPAA.Security-CloudWatchLogGroupEncrypted',
  'HIPAA.Security-DynamoDBInBackupPlan',
  'HIPAA.Security-IAMNoInlinePolicy',
  'HIPAA.Security-LambdaConcurrency',
  'HIPAA.Security-LambdaDLQ',
  'HIPAA.Security-LambdaFunctionPublicAccessProhibited',
  'HIPAA.Security-LambdaInsideVPC',
  'HIPAA.Security-S3BucketReplicationEnabled',
  'HIPAA.Security-S3BucketVersioningEnabled',
  'HIPAA.Security-S3DefaultEncryptionKMS',
  'HIPAA.Security-SNSEncryptedKMS',
  'HIPAA.Security-SecretsManagerRotationEnabled',
  'HIPAA.Security-SecretsManagerUsingKMSKey',
];

function acknowledgements(scope: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

const ruleNames = (app: App, pack: AwsSolutionsChecks | HIPAASecurityChecks) =>
  pack.validateScope(app).violations.map((v) => v.ruleName);

let defaults: App;
let everything: App;

beforeAll(() => {
  defaults = bridgeStack().app;
  everything = bridgeStack({
    attachFailedDocument: true,
    alarmEmail: 'ops@example.com',
    hostedZoneId: 'Z0123456789ABC',
    hostedZoneName: 'example.com',
  }).app;
});

describe('cdk-nag AwsSolutions', () => {
  it('leaves no finding unacknowledged, with the default or with every option', () => {
    expect(ruleNames(defaults, new AwsSolutionsChecks())).toEqual([]);
    expect(ruleNames(everything, new AwsSolutionsChecks())).toEqual([]);
  });

  it('acknowledges only the reviewed findings, each with a reason a reviewer can check', () => {
    const acks = acknowledgements(everything);
    expect(acks.map((a) => `${a.path} ${a.id}`).sort()).toEqual([
      'FaxBridge/ClientStateSecret/Secret AwsSolutions-SMG4',
      expect.stringMatching(
        /^FaxBridge\/FaxDispatch\/Dispatch\/Role AwsSolutions-IAM5\[Resource::<FaxBucketFiles\w+\.Arn>\/media\/\*\]$/,
      ),
      expect.stringMatching(
        /^FaxBridge\/FaxReceiver\/Receiver\/Role AwsSolutions-IAM5\[Resource::<FaxBucketFiles\w+\.Arn>\/inbound\/\*\]$/,
      ),
      expect.stringMatching(
        /^FaxBridge\/FaxSweeper\/Sweeper\/Role AwsSolutions-IAM5\[Resource::<FaxBucketFiles\w+\.Arn>\/media\/\*\]$/,
      ),
      expect.stringMatching(
        /^FaxBridge\/FaxWebhook\/Webhook\/Role AwsSolutions-IAM5\[Resource::<FaxBucketFiles\w+\.Arn>\/inbound\/\*\]$/,
      ),
      expect.stringMatching(
        /^FaxBridge\/FaxWebhook\/Webhook\/Role AwsSolutions-IAM5\[Resource::<FaxBucketFiles\w+\.Arn>\/media\/\*\]$/,
      ),
      expect.stringMatching(
        /^FaxBridge\/MailIntake\/Activation AwsSolutions-IAM5\[Resource::\*\]$/,
      ),
      expect.stringMatching(
        /^FaxBridge\/MailIntake\/Inbound\/Role AwsSolutions-IAM5\[Resource::<FaxBucketFiles\w+\.Arn>\/media\/\*\]$/,
      ),
      expect.stringMatching(
        /^FaxBridge\/MailIntake\/Inbound\/Role AwsSolutions-IAM5\[Resource::<FaxBucketFiles\w+\.Arn>\/raw\/\*\]$/,
      ),
      'FaxBridge/TelnyxApiKey/Secret AwsSolutions-SMG4',
    ]);
    for (const { reason } of acks) {
      expect(reason.length).toBeGreaterThan(80);
    }
  });

  it('is what a synth of the app enforces', () => {
    const source = readFileSync(path.join(repoRoot, 'infra', 'app.ts'), 'utf8');
    expect(source).toMatch(/Validations\.of\(app\)\.addPlugins\(new AwsSolutionsChecks\(app\)\)/);
  });
});

describe('cdk-nag HIPAA Security', () => {
  it('finds only the findings the design accepts', () => {
    const found = new Set([
      ...ruleNames(defaults, new HIPAASecurityChecks()),
      ...ruleNames(everything, new HIPAASecurityChecks()),
    ]);
    expect([...found].sort()).toEqual(ACCEPTED_HIPAA_FINDINGS);
  });

  it("gives the reason for each in the README's security section", () => {
    const text = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const unexplained = ACCEPTED_HIPAA_FINDINGS.filter(
      (rule) => !text.includes(rule.replace('HIPAA.Security-', '')),
    );
    expect(unexplained).toEqual([]);
  });
});
