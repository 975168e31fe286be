import { Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface NoticeSenderProps {
  /** The From address of every notice and result email. */
  noticeFrom: string;
  /**
   * Allowed senders (`name@domain` or `@domain`): the people notices go to. In the SES sandbox,
   * SES also checks the sending role against the verified identity of each recipient.
   */
  recipients: string[];
}

/** The right to send notices through SES, from the notice address only. */
export class NoticeSender extends Construct {
  private readonly identityArns: string[];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: NoticeSenderProps,
  ) {
    super(scope, id);
    const identities = new Set([props.noticeFrom.split('@')[1] ?? '']);
    for (const entry of props.recipients) {
      const [local, domain] = entry.split('@');
      if (local) identities.add(entry);
      if (domain) identities.add(domain);
    }
    const stack = Stack.of(this);
    this.identityArns = [...identities].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    );
  }

  grantSend(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendRawEmail'],
        resources: this.identityArns,
        conditions: { StringEqualsIgnoreCase: { 'ses:FromAddress': this.props.noticeFrom } },
      }),
    );
  }
}
