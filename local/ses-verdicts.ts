// SES's receipt verdicts (spfVerdict, dkimVerdict, dmarcVerdict), computed for the local mode with
// mailauth, the verifier the inbound function itself uses, against the local DNS zone.
import type { SESReceiptStatus } from 'aws-lambda';
import { authenticate } from 'mailauth';
import type { DnsResolver } from './dns-zone';

export interface ReceiptVerdicts {
  spf: SESReceiptStatus;
  dkim: SESReceiptStatus;
  dmarc: SESReceiptStatus;
}

export interface SmtpClient {
  ip: string;
  helo: string;
  /** MAIL FROM; empty for a bounce. */
  sender: string;
}

type Result = string | undefined;

const status = (result: Result): SESReceiptStatus['status'] => {
  switch (result) {
    case 'pass':
      return 'PASS';
    case 'fail':
    case 'softfail':
      return 'FAIL';
    case 'temperror':
    case 'temperr':
    case 'permerror':
      return 'PROCESSING_FAILED';
    default:
      return 'GRAY';
  }
};

export async function receiptVerdicts(
  raw: Buffer,
  client: SmtpClient,
  resolver: DnsResolver,
): Promise<ReceiptVerdicts> {
  const result = await authenticate(raw, {
    ip: client.ip,
    helo: client.helo,
    sender: client.sender,
    mta: 'fax-bridge-local',
    resolver: resolver as never,
    disableArc: true,
    disableBimi: true,
  });
  const signatures = result.dkim.results.map((r) => r.status.result);
  const dkim = signatures.includes('pass') ? 'pass' : signatures.length > 0 ? 'fail' : 'none';
  return {
    spf: { status: status(result.spf ? result.spf.status.result : undefined) },
    dkim: { status: status(dkim) },
    dmarc: { status: status(result.dmarc ? result.dmarc.status.result : undefined) },
  };
}
