import { Aws } from 'aws-cdk-lib';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { DnsRecords } from './dns-records';

export interface MailDomainsProps {
  /** Domains that receive fax emails. */
  faxDomains: string[];
  /** Domain of the notices' From address. */
  noticeDomain: string;
  dns: DnsRecords;
  /** DMARC policy published for the notice domain (default quarantine: notices are DKIM-aligned). */
  dmarcPolicy?: 'none' | 'quarantine' | 'reject';
}

const idFor = (domain: string) => domain.replace(/[^a-z0-9]/g, '-');

/**
 * SES domain identities with Easy DKIM for every domain the bridge receives or sends on, the MX
 * records that route fax domains to SES receiving in this region, and DMARC for the notice domain.
 */
export class MailDomains extends Construct {
  readonly identities: EmailIdentity[];

  constructor(scope: Construct, id: string, props: MailDomainsProps) {
    super(scope, id);
    const domains = [...new Set([...props.faxDomains, props.noticeDomain])];
    this.identities = domains.map((domain) => this.identity(domain, props.dns));
    for (const domain of props.faxDomains) {
      props.dns.add(`Mx-${idFor(domain)}`, {
        name: domain,
        type: 'MX',
        value: `10 inbound-smtp.${Aws.REGION}.amazonaws.com`,
        purpose: `routes mail for ${domain} to SES receiving`,
      });
    }
    props.dns.add(`Dmarc-${idFor(props.noticeDomain)}`, {
      name: `_dmarc.${props.noticeDomain}`,
      type: 'TXT',
      value: `"v=DMARC1; p=${props.dmarcPolicy ?? 'quarantine'}"`,
      purpose: `DMARC for the notices sent from ${props.noticeDomain}`,
    });
  }

  private identity(domain: string, dns: DnsRecords): EmailIdentity {
    const identity = new EmailIdentity(this, idFor(domain), { identity: Identity.domain(domain) });
    identity.dkimRecords.forEach((record, i) => {
      dns.add(`Dkim${i + 1}-${idFor(domain)}`, {
        name: record.name,
        type: 'CNAME',
        value: record.value,
        purpose: `DKIM key ${i + 1} of ${domain}`,
      });
    });
    return identity;
  }
}
