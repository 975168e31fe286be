import { Match, Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { TelnyxApiKey } from '../../../infra/constructs/telnyx-api-key';
import { logicalIdOf, roleStatements, testStack } from '../stack-fixture';

function apiKey(existingSecret?: string, kmsKey?: string) {
  const stack = testStack();
  const key = new TelnyxApiKey(stack, 'ApiKey', { existingSecret, kmsKey });
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  key.grantRead(role);
  const template = Template.fromStack(stack);
  return { key, template, statements: roleStatements(template, role) };
}

describe('TelnyxApiKey', () => {
  it('creates an empty secret when none is named, and outputs the command that fills it', () => {
    const { key, template, statements } = apiKey();
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.absent(),
      SecretString: Match.absent(),
    });
    const secretRef = { Ref: logicalIdOf(key.node.findChild('Secret')) };
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretRef },
    ]);
    const command = JSON.stringify(template.findOutputs('SetTelnyxApiKeyCommand'));
    expect(command).toContain('aws secretsmanager put-secret-value');
    expect(command).toContain(JSON.stringify(secretRef));
  });

  it('uses a named secret, matching the suffix Secrets Manager adds to its ARN', () => {
    const { key, template, statements } = apiKey('fax-bridge/telnyx');
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(template.findOutputs('SetTelnyxApiKeyCommand')).toEqual({});
    expect(key.secretId).toBe('fax-bridge/telnyx');
    expect(JSON.stringify(statements[0]?.Resource)).toMatch(/:secret:fax-bridge\/telnyx-\?{6}"/);
    expect(statements[0]?.Action).toBe('secretsmanager:GetSecretValue');
  });

  it('uses a complete secret ARN as it is', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:telnyx-AbCdEf';
    const { key, statements } = apiKey(arn);
    expect(key.secretId).toBe(arn);
    expect(statements[0]?.Resource).toBe(arn);
  });

  it('may decrypt an existing secret encrypted with a customer key, through Secrets Manager only', () => {
    const kmsKey = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:telnyx-AbCdEf';
    const { statements } = apiKey(arn, kmsKey);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arn },
      {
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: kmsKey,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(apiKey(arn).statements.flatMap((s) => s.Action)).not.toContain('kms:Decrypt');
  });
});
