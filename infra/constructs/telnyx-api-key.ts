import { ArnFormat, Aws, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

export interface TelnyxApiKeyProps {
  /** Name or complete ARN of an existing secret holding the key; default: the stack creates one. */
  existingSecret?: string;
  /**
   * ARN of the customer-managed KMS key that encrypts the existing secret. Secrets Manager
   * decrypts with the caller's rights, so the reader needs kms:Decrypt on it (default: the
   * account's aws/secretsmanager key, which needs no grant).
   */
  kmsKey?: string;
}

/**
 * Where the Telnyx API key lives. A secret the stack creates starts empty (the functions then say
 * so in their error); the `SetTelnyxApiKeyCommand` output says how to put the key in.
 */
export class TelnyxApiKey extends Construct {
  /** What the functions pass to GetSecretValue. */
  readonly secretId: string;
  private readonly policyArn: string;
  private readonly kmsKey?: string;
  /** Where Secrets Manager decrypts the secret: the secret's region. */
  private readonly secretRegion: string;

  constructor(scope: Construct, id: string, props: TelnyxApiKeyProps = {}) {
    super(scope, id);
    const { existingSecret } = props;
    this.kmsKey = props.kmsKey;
    this.secretRegion = existingSecret?.startsWith('arn:')
      ? (existingSecret.split(':')[3] ?? Aws.REGION)
      : Aws.REGION;
    if (existingSecret?.startsWith('arn:')) {
      this.secretId = existingSecret;
      this.policyArn = existingSecret;
    } else if (existingSecret) {
      this.secretId = existingSecret;
      this.policyArn = Stack.of(this).formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${existingSecret}-??????`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    } else {
      // The L1 resource: the L2 Secret always generates a value, and an empty secret is clearer.
      const secret = new CfnSecret(this, 'Secret', {
        description: 'Telnyx API key used by fax-bridge',
      });
      secret.applyRemovalPolicy(RemovalPolicy.DESTROY);
      this.secretId = secret.ref;
      this.policyArn = secret.ref;
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'A Telnyx API key is issued and revoked in the Telnyx portal, which Secrets Manager ' +
          'cannot call; rotate it there and store the new key with SetTelnyxApiKeyCommand.',
      );
      new CfnOutput(Stack.of(this), 'SetTelnyxApiKeyCommand', {
        description: 'Run this, pasting your Telnyx API key at the prompt, before the first fax',
        value: `read -rsp 'Telnyx API key: ' KEY && aws secretsmanager put-secret-value --region ${Stack.of(this).region} --secret-id ${secret.ref} --secret-string "$KEY"`,
      });
    }
  }

  grantRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.policyArn],
      }),
    );
    if (!this.kmsKey) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.kmsKey],
        // Only for Secrets Manager decrypting on the reader's behalf, never a direct Decrypt.
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${this.secretRegion}.amazonaws.com` },
        },
      }),
    );
  }
}
