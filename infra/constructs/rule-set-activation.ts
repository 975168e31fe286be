import path from 'node:path';
import { CustomResource, Duration } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';
import { LAMBDA_BUNDLING, REPO_ROOT } from './bridge-function';

export interface RuleSetActivationProps {
  ruleSetName: string;
  logRetentionDays: number;
}

/**
 * Activates the stack's own receipt rule set when no other is active, and refuses otherwise;
 * deleting the stack deactivates it only while it is still the active one
 * (infra/rule-set-activation/ holds the function's code).
 */
export class RuleSetActivation extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: RuleSetActivationProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetentionDays });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Activates the fax-bridge SES receipt rule set',
    });
    this.logGroup.grantWrite(role);
    role.addToPolicy(
      new PolicyStatement({
        actions: ['ses:DescribeActiveReceiptRuleSet', 'ses:SetActiveReceiptRuleSet'],
        // Neither action supports resource-level permissions.
        resources: ['*'],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'infra', 'rule-set-activation', 'handler.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      description: 'Activates the fax-bridge SES receipt rule set, or refuses to replace another',
      memorySize: 256,
      timeout: Duration.minutes(1),
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      bundling: LAMBDA_BUNDLING,
    });
    this.role = role;
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.fn.functionArn,
      resourceType: 'Custom::ReceiptRuleSetActivation',
      properties: { RuleSetName: props.ruleSetName },
    });
    acknowledge(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'ses:DescribeActiveReceiptRuleSet and ses:SetActiveReceiptRuleSet have no resource type in ' +
        'the IAM Service Authorization Reference, so AWS only accepts Resource *; they are the ' +
        'only actions this role may take besides writing its own log group.',
    );
  }
}
