import { Aws, CfnRule, Fn, type Stack } from 'aws-cdk-lib';

// The regions where SES receives email: the "Email receiving endpoints" table of
// https://docs.aws.amazon.com/general/latest/gr/ses.html (read in 2025). SES sends in many more
// regions than it receives in, and a receipt rule set in any other region is refused only
// halfway through a deploy. When AWS adds a region there, add it here.
export const SES_RECEIVING_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-northeast-1',
] as const;

/** Why the stack cannot be deployed to `region`, or undefined when SES receives email there. */
export function regionProblem(region: string): string | undefined {
  if ((SES_RECEIVING_REGIONS as readonly string[]).includes(region)) return undefined;
  return (
    `region ${region} has no SES email receiving, so the bridge cannot receive faxes there; ` +
    `deploy to one of ${SES_RECEIVING_REGIONS.join(', ')} (export AWS_REGION=us-east-1, for example)`
  );
}

/**
 * Stops a deploy to any other region before CloudFormation creates anything. The template is
 * region-agnostic (the app is built without an env), so the check is a template rule; the app
 * also checks at synth when the CLI knows the region (config.ts), with a message naming it.
 */
export function addRegionGuard(stack: Stack): CfnRule {
  return new CfnRule(stack, 'SesReceivingRegion', {
    assertions: [
      {
        assert: Fn.conditionContains([...SES_RECEIVING_REGIONS], Aws.REGION),
        assertDescription:
          'fax-bridge needs a region where SES receives email; this one has none. Deploy to ' +
          `one of ${SES_RECEIVING_REGIONS.join(', ')}.`,
      },
    ],
  });
}
