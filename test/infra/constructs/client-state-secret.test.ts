import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { ClientStateSecret } from '../../../infra/constructs/client-state-secret';
import { logicalIdOf, roleStatements, testStack } from '../stack-fixture';

function clientState() {
  const stack = testStack();
  const secret = new ClientStateSecret(stack, 'ClientState');
  const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  secret.grantRead(role);
  const template = Template.fromStack(stack);
  return { secret, template, statements: roleStatements(template, role) };
}

describe('ClientStateSecret', () => {
  it('generates a long random key of letters and digits, which nobody has to set', () => {
    const { template } = clientState();
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    const generated = secret?.Properties.GenerateSecretString;
    expect(generated.PasswordLength).toBeGreaterThanOrEqual(32);
    expect(generated.ExcludePunctuation).toBe(true);
    expect(secret?.Properties.SecretString).toBeUndefined();
    expect(template.findOutputs('*')).toEqual({});
  });

  it('lets a function read that secret alone, and do nothing else with it', () => {
    const { secret, statements } = clientState();
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: logicalIdOf(secret.secret) },
      },
    ]);
  });
});
