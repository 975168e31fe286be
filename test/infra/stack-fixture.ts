import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readDeploySettings } from '../../infra/config';
import { FaxBridgeStack } from '../../infra/fax-bridge-stack';
import { repoRoot } from '../support/paths';

export { repoRoot };

/** cdk.json's context: feature flags, and no settings (a deploy must be given its own). */
export const cdkJsonContext: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(repoRoot, 'cdk.json'), 'utf8'),
).context;

/** The example settings `npm run synth` passes with -c examples=true. */
export const exampleSettings: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(repoRoot, 'infra', 'example-settings.json'), 'utf8'),
);

/** The context of `npm run synth`: cdk.json's, with the example settings. */
export const exampleContext: Record<string, unknown> = { ...cdkJsonContext, ...exampleSettings };

/**
 * An app with `npm run synth`'s context. To keep assertion tests quick it skips bundling and CDK's own
 * template schema check; bundle.test.ts synthesizes with both, as `npm run synth` does.
 */
export function testApp(overrides: Record<string, unknown> = {}): App {
  return new App({
    builtinCloudFormationValidation: false,
    context: { ...exampleContext, 'aws:cdk:bundling-stacks': [], ...overrides },
  });
}

/** A bare stack under a test app, for testing one construct. */
export function testStack(): Stack {
  return new Stack(testApp(), 'Test');
}

export function bridgeStack(overrides: Record<string, unknown> = {}) {
  const app = testApp(overrides);
  const settings = readDeploySettings((key) => app.node.tryGetContext(key));
  const stack = new FaxBridgeStack(app, 'FaxBridge', { settings });
  return { app, stack, settings, template: Template.fromStack(stack) };
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
  Principal?: unknown;
}

const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

export const actionsOf = (statement: Statement): string[] => asList(statement.Action);

export const resourcesOf = (statement: Statement): unknown[] => asList(statement.Resource);

/** The logical id CloudFormation knows a construct (or its default child) by. */
export function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild ?? construct;
  return Stack.of(construct).getLogicalId(element as CfnElement);
}

/** Every statement of every IAM policy attached to the role. */
export function roleStatements(template: Template, role: IConstruct): Statement[] {
  const roleId = logicalIdOf(role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as unknown[]).some(
        (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** The statement granting exactly these actions, failing the test when there is none. */
export function statementFor(statements: Statement[], actions: string[]): Statement {
  const found = statements.find(
    (s) => JSON.stringify([...actionsOf(s)].sort()) === JSON.stringify([...actions].sort()),
  );
  if (!found) throw new Error(`no statement grants ${actions.join(', ')}`);
  return found;
}

/** An object ARN of a bucket in the template, as CloudFormation writes it: `<bucket>/<suffix>`. */
export const objectArn = (bucketId: string, suffix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, `/${suffix}`]],
});
