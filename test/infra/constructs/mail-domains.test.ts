import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { DnsRecords } from '../../../infra/constructs/dns-records';
import { MailDomains, type MailDomainsProps } from '../../../infra/constructs/mail-domains';
import { testStack } from '../stack-fixture';

function domains(
  hostedZone?: { id: string; name: string },
  options: Partial<MailDomainsProps> = {},
) {
  const stack = testStack();
  const dns = new DnsRecords(stack, 'Dns', { hostedZone });
  new MailDomains(stack, 'MailDomains', {
    faxDomains: ['fax.example.com', 'fax.example.org'],
    noticeDomain: 'fax.example.com',
    dns,
    ...options,
  });
  return Template.fromStack(stack);
}

const dnsOutputs = (template: Template) =>
  Object.fromEntries(
    Object.entries(template.findOutputs('*')).filter(([id]) => id.startsWith('Dns')),
  );

const regionalMx = {
  'Fn::Join': ['', ['10 inbound-smtp.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
};

describe('MailDomains', () => {
  it('creates one DKIM-signing SES identity per domain', () => {
    const template = domains();
    template.resourceCountIs('AWS::SES::EmailIdentity', 2);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'fax.example.com' });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'fax.example.org' });
  });

  it('writes MX, DKIM and DMARC records into the hosted zone when there is one', () => {
    const template = domains({ id: 'Z0123456789ABC', name: 'example.com' });
    const records = Object.values(template.findResources('AWS::Route53::RecordSet')).map(
      (r) => r.Properties,
    );
    expect(records.every((r) => r.HostedZoneId === 'Z0123456789ABC')).toBe(true);
    expect(records.filter((r) => r.Type === 'CNAME')).toHaveLength(6);
    expect(records.filter((r) => r.Type === 'MX')).toEqual([
      expect.objectContaining({ Name: 'fax.example.com', ResourceRecords: [regionalMx] }),
      expect.objectContaining({ Name: 'fax.example.org', ResourceRecords: [regionalMx] }),
    ]);
    expect(records.filter((r) => r.Type === 'TXT')).toEqual([
      expect.objectContaining({
        Name: '_dmarc.fax.example.com',
        ResourceRecords: ['"v=DMARC1; p=none"'],
      }),
    ]);
    expect(dnsOutputs(template)).toEqual({});
  });

  it('lists every record as an output when there is no hosted zone', () => {
    const template = domains();
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    const outputs = dnsOutputs(template);
    expect(Object.keys(outputs)).toHaveLength(6 + 2 + 1);
    expect(outputs.DnsMxfaxexamplecom?.Value).toEqual({
      'Fn::Join': [
        '',
        ['fax.example.com MX 10 inbound-smtp.', { Ref: 'AWS::Region' }, '.amazonaws.com'],
      ],
    });
    expect(outputs.DnsDmarcfaxexamplecom?.Value).toBe(
      '_dmarc.fax.example.com TXT "v=DMARC1; p=none"',
    );
    expect(JSON.stringify(outputs.DnsDkim1faxexampleorg?.Value)).toMatch(
      /DkimDNSTokenName1.* CNAME .*DkimDNSTokenValue1/,
    );
  });

  it('publishes DMARC p=none unless told otherwise, and none at all with off', () => {
    // The notice domain may be an organisation's own: quarantine would hit its other mail.
    const txt = (t: Template) =>
      Object.values(t.findResources('AWS::Route53::RecordSet'))
        .map((r) => r.Properties)
        .filter((r) => String(r.Name).startsWith('_dmarc.'))
        .map((r) => r.ResourceRecords);
    const zone = { id: 'Z0123456789ABC', name: 'example.com' };
    expect(txt(domains(zone, { dmarcPolicy: 'quarantine' }))).toEqual([
      ['"v=DMARC1; p=quarantine"'],
    ]);
    expect(txt(domains(zone, { dmarcPolicy: 'off' }))).toEqual([]);
  });

  it('creates no identity and no DKIM records for a domain that already is an SES identity', () => {
    const template = domains(undefined, { existingIdentities: ['fax.example.com'] });
    template.resourceCountIs('AWS::SES::EmailIdentity', 1);
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'fax.example.org' });
    const outputs = Object.keys(dnsOutputs(template));
    expect(outputs.filter((id) => id.startsWith('DnsDkim'))).toEqual([
      'DnsDkim1faxexampleorg',
      'DnsDkim2faxexampleorg',
      'DnsDkim3faxexampleorg',
    ]);
    // Mail must still reach SES for it.
    expect(outputs).toContain('DnsMxfaxexamplecom');
  });

  it('gives the notice identity a custom MAIL FROM domain with its MX and SPF records', () => {
    const template = domains(
      { id: 'Z0123456789ABC', name: 'example.com' },
      { mailFromDomain: 'bounce.fax.example.com' },
    );
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'fax.example.com',
      MailFromAttributes: { MailFromDomain: 'bounce.fax.example.com' },
    });
    const records = Object.values(template.findResources('AWS::Route53::RecordSet'))
      .map((r) => r.Properties)
      .filter((r) => r.Name === 'bounce.fax.example.com');
    expect(records).toEqual([
      expect.objectContaining({
        Type: 'MX',
        ResourceRecords: [
          {
            'Fn::Join': ['', ['10 feedback-smtp.', { Ref: 'AWS::Region' }, '.amazonses.com']],
          },
        ],
      }),
      expect.objectContaining({
        Type: 'TXT',
        ResourceRecords: ['"v=spf1 include:amazonses.com ~all"'],
      }),
    ]);
    const other = Object.values(template.findResources('AWS::SES::EmailIdentity')).find(
      (i) => i.Properties.EmailIdentity === 'fax.example.org',
    );
    expect(other?.Properties.MailFromAttributes).toBeUndefined();
  });
});
