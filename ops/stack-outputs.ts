// Where the operator commands find the deployed bridge: the stack's outputs, read with the
// operator's own AWS credentials and region.
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export const DEFAULT_STACK = 'FaxBridge';

/** The named outputs of the stack, failing with a sentence that says what to pass instead. */
export async function stackOutputs<const K extends string>(
  cloudFormation: CloudFormationClient,
  stackName: string,
  keys: readonly K[],
  instead: string,
): Promise<Record<K, string>> {
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const { Stacks } = await cloudFormation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`could not read the outputs of the stack ${stackName} (${why}); ${instead}`);
  }
  const found = Object.fromEntries(
    keys.map((key) => [key, outputs.find((o) => o.OutputKey === key)?.OutputValue]),
  );
  const missing = keys.filter((key) => !found[key]);
  if (missing.length > 0) {
    throw new Error(`the stack ${stackName} has no ${missing.join(', ')} output; ${instead}`);
  }
  return found as Record<K, string>;
}
