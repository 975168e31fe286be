import { CfnOutput, Stack } from 'aws-cdk-lib';
import { CfnRecordSet } from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import type { HostedZoneSettings } from '../config';

export interface DnsRecord {
  /** Fully qualified name, without the trailing dot. */
  name: string;
  type: 'MX' | 'CNAME' | 'TXT';
  /** As Route 53 wants it: `10 host` for MX, a quoted string for TXT. */
  value: string;
  purpose: string;
}

export interface DnsRecordsProps {
  /** The Route 53 zone to write records into; without it each record becomes a stack output. */
  hostedZone?: HostedZoneSettings;
}

/**
 * The DNS records the bridge needs: written into the hosted zone when there is one, otherwise
 * listed as `Dns…` stack outputs for the owner to add by hand.
 */
export class DnsRecords extends Construct {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: DnsRecordsProps,
  ) {
    super(scope, id);
  }

  /** `id` must stay stable for the same record, so an update never recreates it. */
  add(id: string, record: DnsRecord): void {
    const { hostedZone } = this.props;
    if (hostedZone) {
      new CfnRecordSet(this, id, {
        hostedZoneId: hostedZone.id,
        name: record.name,
        type: record.type,
        ttl: '1800',
        resourceRecords: [record.value],
      });
      return;
    }
    new CfnOutput(Stack.of(this), `Dns${id.replace(/[^A-Za-z0-9]/g, '')}`, {
      description: `DNS record to add: ${record.purpose}`,
      value: `${record.name} ${record.type} ${record.value}`,
    });
  }
}
