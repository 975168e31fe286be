import { Aws } from 'aws-cdk-lib';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { DmarcPolicy } from '../config';
import type { DnsRecords } from './dns-records';

export interface MailDomainsProps {
  /** Domains that receive fax emails. */
  faxDomains: string[];
  /** Domain of the notices' From address. */
  noticeDomain: string;
  dns: DnsRecords;
  /**
   * Domains that are SES identities already (the notice domain sending other mail, a second
   * stack's domain): the stack creates no identity and no DKIM records for them (default none).
   */
  existingIdentities?: string[];
  /**
   * DMARC policy published for the notice domain (default none: monitoring only, since the notice
   * domain may be an organisation's own, whose other mail this stack knows nothing of); `off`
   * publishes no record, for a domain that has one.
   */
  dmarcPolicy?: DmarcPolicy;
  /**
   * MAIL FROM domain of the notices, a subdomain of the notice domain, so that SPF aligns as well
   * as DKIM (default none: SES's own amazonses.com). Ignored when the notice domain is existing.
   */
  mailFromDomain?: string;
}

const idFor = (domain: string) => domain.replace(/[^a-z0-9]/g, '-');

/**
 * SES domain identities with Easy DKIM for every domain the bridge receives or sends on, the MX
 * records that route fax domains to SES receiving in this region, a custom MAIL FROM domain and
 * DMARC for the notice domain.
 */
export class MailDomains extends Construct {
  readonly identities: EmailIdentity[];

  constructor(scope: Construct, id: string, props: MailDomainsProps) {
    super(scope, id);
    const existing = new Set(props.existingIdentities ?? []);
    const domains = [...new Set([...props.faxDomains, props.noticeDomain])];
    this.identities = domains
      .filter((domain) => !existing.has(domain))
      .map((domain) =>
        this.identity(
          domain,
          props.dns,
          domain === props.noticeDomain ? props.mailFromDomain : undefined,
        ),
      );
    for (const domain of props.faxDomains) {
      props.dns.add(`Mx-${idFor(domain)}`, {
        name: domain,
        type: 'MX',
        value: `10 inbound-smtp.${Aws.REGION}.amazonaws.com`,
        purpose: `routes mail for ${domain} to SES receiving`,
      });
    }
    const dmarc = props.dmarcPolicy ?? 'none';
    if (dmarc !== 'off') {
      props.dns.add(`Dmarc-${idFor(props.noticeDomain)}`, {
        name: `_dmarc.${props.noticeDomain}`,
        type: 'TXT',
        value: `"v=DMARC1; p=${dmarc}"`,
        purpose: `DMARC for the notices sent from ${props.noticeDomain}`,
      });
    }
  }

  private identity(domain: string, dns: DnsRecords, mailFromDomain?: string): EmailIdentity {
    const identity = new EmailIdentity(this, idFor(domain), {
      identity: Identity.domain(domain),
      mailFromDomain,
    });
    identity.dkimRecords.forEach((record, i) => {
      dns.add(`Dkim${i + 1}-${idFor(domain)}`, {
        name: record.name,
        type: 'CNAME',
        value: record.value,
        purpose: `DKIM key ${i + 1} of ${domain}`,
      });
    });
    if (mailFromDomain) {
      // SES's documented records for a custom MAIL FROM domain: bounces come back through its
      // feedback endpoint in this region, and SPF names SES as the sender.
      dns.add(`MailFromMx-${idFor(mailFromDomain)}`, {
        name: mailFromDomain,
        type: 'MX',
        value: `10 feedback-smtp.${Aws.REGION}.amazonses.com`,
        purpose: `MAIL FROM of the notices: bounces for ${mailFromDomain} return to SES`,
      });
      dns.add(`MailFromSpf-${idFor(mailFromDomain)}`, {
        name: mailFromDomain,
        type: 'TXT',
        value: '"v=spf1 include:amazonses.com ~all"',
        purpose: `MAIL FROM of the notices: SPF lets SES send for ${mailFromDomain}`,
      });
    }
    return identity;
  }
}
