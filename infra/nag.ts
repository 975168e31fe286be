import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

type CfnValue = string | { [key: string]: unknown };

/** A resolved CloudFormation value written the way cdk-nag names it in a finding id. */
function flatten(value: CfnValue): string {
  if (typeof value === 'string') return value;
  const join = value['Fn::Join'] as [string, CfnValue[]] | undefined;
  if (join) return join[1].map(flatten).join(join[0]);
  const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
  if (typeof value.Ref === 'string') return `<${value.Ref}>`;
  return JSON.stringify(value);
}

/** Acknowledges one cdk-nag finding on `scope` and everything below it, with the reason why. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** Acknowledges AwsSolutions-IAM5 for one wildcard resource granted to `scope`. */
export function acknowledgeWildcardResource(
  scope: IConstruct,
  resource: string,
  reason: string,
): void {
  const flat = flatten(Stack.of(scope).resolve(resource) as CfnValue);
  acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
}
