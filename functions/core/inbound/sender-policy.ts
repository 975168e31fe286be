/** An SES receipt verdict (`receipt.spfVerdict.status` and friends). */
export type VerdictStatus = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED' | 'DISABLED';

export interface SesVerdicts {
  spf?: VerdictStatus;
  dkim?: VerdictStatus;
  dmarc?: VerdictStatus;
  spam?: VerdictStatus;
  virus?: VerdictStatus;
}

/** What we know about who sent an email. */
export interface SenderEvidence {
  /** The parsed `From` addresses, as mailparser gives them (`from.value`). */
  from: { address?: string; name?: string }[];
  /** The SMTP MAIL FROM (`mail.source`); empty for bounces. */
  envelopeFrom: string | undefined;
  /** The `d=` domains of the message's DKIM-Signature headers (see `dkimDomains`). */
  dkimDomains: string[];
  verdicts: SesVerdicts;
}

export interface SenderPolicyOptions {
  /** Lower-case addresses and `@domain` entries. */
  allowedSenders: string[];
  requireSenderAuth: boolean;
}

export type DropReason =
  | 'virus'
  | 'spam'
  | 'no_from'
  | 'several_from'
  | 'unparsable_from'
  | 'dmarc_fail'
  | 'not_authenticated';

export type SenderDecision =
  | { kind: 'allowed'; sender: string }
  | { kind: 'refused'; sender: string }
  | { kind: 'dropped'; reason: DropReason };

const ADDRESS = /^[^\s@<>"(),;:\\[\]]+@(?:[^\s@<>"(),;:\\[\].]+\.)+[^\s@<>"(),;:\\[\].]+$/;

// Second-level labels under which registrations sit (example.co.uk, example.com.au): the
// organisational domain is then three labels. An approximation of the Public Suffix List that is
// exact for ordinary domains; it treats shared-hosting suffixes (github.io) as one organisation.
const SECOND_LEVELS = new Set(['ac', 'co', 'com', 'edu', 'gov', 'ltd', 'ne', 'net', 'or', 'org']);

/**
 * May this email's sender fax? Checks run so that an unauthenticated sender never gets a reply:
 * virus and spam, then the From address, then authentication, then the allow-list.
 */
export function judgeSender(
  evidence: SenderEvidence,
  options: SenderPolicyOptions,
): SenderDecision {
  const { verdicts } = evidence;
  if (verdicts.virus === 'FAIL') return { kind: 'dropped', reason: 'virus' };
  if (verdicts.spam === 'FAIL') return { kind: 'dropped', reason: 'spam' };
  const [first, ...others] = evidence.from;
  if (!first) return { kind: 'dropped', reason: 'no_from' };
  if (others.length > 0) return { kind: 'dropped', reason: 'several_from' };
  const sender = first.address?.trim().toLowerCase() ?? '';
  // SES sends only to 7-bit addresses: a reply to any other would fail and be retried for nothing.
  if (!ADDRESS.test(sender) || !/^[\x21-\x7e]+$/.test(sender)) {
    return { kind: 'dropped', reason: 'unparsable_from' };
  }
  if (options.requireSenderAuth) {
    const failure = authenticationFailure(evidence, domainOf(sender));
    if (failure) return { kind: 'dropped', reason: failure };
  }
  return isAllowed(sender, options.allowedSenders)
    ? { kind: 'allowed', sender }
    : { kind: 'refused', sender };
}

/** The signing domains (`d=`) of the DKIM-Signature headers in SES's `mail.headers`. */
export function dkimDomains(headers: { name: string; value: string }[]): string[] {
  const domains = headers
    .filter((header) => header.name.toLowerCase() === 'dkim-signature')
    .map((header) => signingDomain(header.value))
    .filter((domain): domain is string => Boolean(domain));
  return [...new Set(domains)];
}

/** Relaxed alignment (DMARC): both domains belong to the same organisational domain. */
export function isAligned(a: string, b: string): boolean {
  return organisationalDomain(a) === organisationalDomain(b);
}

function authenticationFailure(
  { envelopeFrom, dkimDomains: signers, verdicts }: SenderEvidence,
  fromDomain: string,
): DropReason | undefined {
  if (verdicts.dmarc === 'FAIL') return 'dmarc_fail';
  const envelope =
    envelopeFrom
      ?.trim()
      .toLowerCase()
      .replace(/^<(.*)>$/, '$1') ?? '';
  const spf =
    verdicts.spf === 'PASS' && ADDRESS.test(envelope) && isAligned(domainOf(envelope), fromDomain);
  return spf || dkimVouches(verdicts, signers, fromDomain) ? undefined : 'not_authenticated';
}

// SES's DKIM verdict does not say which signature passed. A forged signature for the From domain
// next to a valid one for any other domain would still read PASS, so an aligned signature counts
// only when DMARC (which checks the aligned one itself) passed too, or when every signature is aligned.
function dkimVouches(verdicts: SesVerdicts, signers: string[], fromDomain: string): boolean {
  if (verdicts.dkim !== 'PASS') return false;
  const aligned = signers.filter((domain) => isAligned(domain, fromDomain));
  if (aligned.length === 0) return false;
  return verdicts.dmarc === 'PASS' || aligned.length === signers.length;
}

function isAllowed(sender: string, allowedSenders: string[]): boolean {
  // '@example.com' allows that domain only, not its subdomains: each mail domain is listed on purpose.
  const domainEntry = `@${domainOf(sender)}`;
  return allowedSenders.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    return allowed === sender || allowed === domainEntry;
  });
}

function signingDomain(signature: string): string | undefined {
  for (const tag of signature.split(';')) {
    const equals = tag.indexOf('=');
    if (equals < 0 || tag.slice(0, equals).trim().toLowerCase() !== 'd') continue;
    const domain = tag
      .slice(equals + 1)
      .replace(/\s+/g, '')
      .toLowerCase()
      .replace(/\.$/, '');
    return domain || undefined;
  }
  return undefined;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).replace(/\.$/, '');
}

function organisationalDomain(domain: string): string {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  const [secondLevel, topLevel] = labels.slice(-2);
  const underSecondLevel =
    labels.length >= 3 && topLevel?.length === 2 && SECOND_LEVELS.has(secondLevel ?? '');
  return labels.slice(underSecondLevel ? -3 : -2).join('.');
}
