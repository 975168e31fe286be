import { domainOf, isAligned } from './mail/alignment';
import type { DkimSignature } from './mail/dkim';
import { type HeaderField, valuesOf } from './mail/header-block';

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
  /** The From field's addresses. */
  from: { address?: string; name?: string }[];
  /** The SMTP MAIL FROM (`mail.source`); empty for bounces. */
  envelopeFrom: string | undefined;
  verdicts: SesVerdicts;
  /** The signatures verified in the function; undefined until asked for (`needs_dkim`). */
  dkim?: DkimSignature[];
}

export interface SenderPolicyOptions {
  /** Lower-case addresses and `@domain` entries. */
  allowedSenders: string[];
  requireSenderAuth: boolean;
}

export type SenderDropReason =
  | 'virus'
  | 'spam'
  | 'no_from'
  | 'several_from'
  | 'unparsable_from'
  | 'dmarc_fail'
  | 'not_authenticated';

/**
 * How the sender was shown to be who the From says, which decides what else is believed:
 * `spf`: the From domain's own servers handed the message to SES, envelope and all;
 * `dkim`: it came by another way (a relay, a forward, a replay), and only what these signatures
 * cover is the sender's; `none`: REQUIRE_SENDER_AUTH is off, nothing was checked.
 */
export type Authentication =
  | { by: 'spf' }
  | { by: 'dkim'; signatures: DkimSignature[] }
  | { by: 'none' };

export type SenderDecision =
  | { kind: 'allowed'; sender: string; auth: Authentication }
  | { kind: 'refused'; sender: string; auth: Authentication }
  | { kind: 'dropped'; reason: SenderDropReason }
  /** SPF did not vouch: verify the DKIM signatures and judge again. */
  | { kind: 'needs_dkim'; fromDomain: string }
  /** Only a key lookup that failed for now stands between the sender and a pass. */
  | { kind: 'retry' };

const ADDRESS = /^[^\s@<>"(),;:\\[\]]+@(?:[^\s@<>"(),;:\\[\].]+\.)+[^\s@<>"(),;:\\[\].]+$/;

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
  // SES sends only to 7-bit addresses: a reply to any other would fail and be retried for
  // nothing. An encoded word is no address either (RFC 2047 §5).
  if (!ADDRESS.test(sender) || !/^[\x21-\x7e]+$/.test(sender) || sender.includes('=?')) {
    return { kind: 'dropped', reason: 'unparsable_from' };
  }
  const auth = options.requireSenderAuth ? authenticate(evidence, domainOf(sender)) : NONE;
  if ('kind' in auth) return auth;
  return isAllowed(sender, options.allowedSenders)
    ? { kind: 'allowed', sender, auth }
    : { kind: 'refused', sender, auth };
}

const NONE: Authentication = { by: 'none' };

function authenticate(
  { envelopeFrom, verdicts, dkim }: SenderEvidence,
  fromDomain: string,
): Authentication | Exclude<SenderDecision, { sender: string }> {
  if (verdicts.dmarc === 'FAIL') return { kind: 'dropped', reason: 'dmarc_fail' };
  if (spfAligned(envelopeFrom, verdicts, fromDomain)) return { by: 'spf' };
  if (!dkim) return { kind: 'needs_dkim', fromDomain };
  const signatures = dkim.filter((signature) => vouches(signature, fromDomain));
  if (signatures.length > 0) return { by: 'dkim', signatures };
  const unavailable = dkim.some((s) => s.result === 'temperror' && isAligned(s.domain, fromDomain));
  return unavailable ? { kind: 'retry' } : { kind: 'dropped', reason: 'not_authenticated' };
}

/** SES's SPF verdict is for the MAIL FROM domain: it speaks for the From only when aligned. */
function spfAligned(envelopeFrom: string | undefined, verdicts: SesVerdicts, fromDomain: string) {
  const envelope =
    envelopeFrom
      ?.trim()
      .toLowerCase()
      .replace(/^<(.*)>$/, '$1') ?? '';
  return (
    verdicts.spf === 'PASS' && ADDRESS.test(envelope) && isAligned(domainOf(envelope), fromDomain)
  );
}

/**
 * A signature vouches for the From domain when it verified, is aligned with it, signs the From
 * field itself, and signs the whole body: after an `l=` tag anyone may append an attachment.
 */
function vouches(signature: DkimSignature, fromDomain: string): boolean {
  return (
    signature.result === 'pass' &&
    !signature.partialBody &&
    isAligned(signature.domain, fromDomain) &&
    signature.signedFields.some((field) => field.name === 'from')
  );
}

/**
 * The value of a once-only field (see message-shape.ts) as far as the sender vouches for it:
 * any field of mail their own servers delivered, else only a field a vouching signature covers.
 */
export function vouchedValue(
  auth: Authentication,
  fields: HeaderField[],
  name: string,
): string | undefined {
  const [value] = valuesOf(fields, name);
  if (auth.by !== 'dkim') return value;
  const signed = auth.signatures.some((s) => s.signedFields.some((field) => field.name === name));
  return signed ? value : undefined;
}

function isAllowed(sender: string, allowedSenders: string[]): boolean {
  // '@example.com' allows that domain only, not its subdomains: each mail domain is listed on purpose.
  const domainEntry = `@${domainOf(sender)}`;
  return allowedSenders.some((entry) => {
    const allowed = entry.trim().toLowerCase();
    return allowed === sender || allowed === domainEntry;
  });
}
