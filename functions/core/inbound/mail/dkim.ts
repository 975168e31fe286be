// DKIM signatures verified in the function with mailauth, streaming the raw message: SES's DKIM
// verdict does not say which signature passed, nor which headers it covered.
import type { Readable } from 'node:stream';
import type { DKIMResult, DKIMVerifyOptions } from 'mailauth';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import type { DnsResolver } from '../../shared/ports';
import { isAligned } from './alignment';
import { type HeaderField, headerField } from './header-block';

/** What one DKIM-Signature field proved, mapped from mailauth's result. */
export interface DkimSignature {
  /** The domain whose key checked it (mailauth's reading of `d=`), lower case. */
  domain: string;
  /** `temperror`: the key could not be looked up now; another try may pass. */
  result: 'pass' | 'fail' | 'temperror';
  /** An `l=` tag left part of the body unsigned: anything could have been appended there. */
  partialBody: boolean;
  /** The fields it covers: the last instance of each name its `h=` lists. */
  signedFields: HeaderField[];
  /** Its `t=` tag. */
  signedAt?: Date;
  /** A hash of its `b=` value: only this one signed message carries it. */
  id: string;
}

/** Key lookups for domains of the From's organisation only: no other signature can vouch. */
export interface DkimOptions {
  resolver: DnsResolver;
  fromDomain: string;
  now: Date;
}

export async function verifyDkim(
  message: Readable,
  options: DkimOptions,
): Promise<DkimSignature[]> {
  const { results } = await dkimVerify(message, {
    resolver: keysOf(options.fromDomain, options.resolver) as DKIMVerifyOptions['resolver'],
    curTime: options.now,
  });
  return dkimSignatures(results);
}

/** What mailauth returns for a signature, with the fields its types leave out. */
export type VerifiedSignature = DKIMResult & {
  signTime?: string | null;
  signingHeaders?: { headers: string[] };
};

export function dkimSignatures(results: VerifiedSignature[]): DkimSignature[] {
  return results.flatMap((result) => {
    // mailauth reports an unsigned message as one result without a domain.
    if (!result.signingDomain) return [];
    const signedAt = result.signTime ? new Date(result.signTime) : undefined;
    return [
      {
        domain: result.signingDomain.toLowerCase(),
        result: resultOf(result.status.result),
        partialBody: Boolean(result.status.underSized),
        signedFields: (result.signingHeaders?.headers ?? []).map(headerField),
        signedAt: signedAt && !Number.isNaN(signedAt.getTime()) ? signedAt : undefined,
        id: result.id ?? '',
      },
    ];
  });
}

function resultOf(result: string): DkimSignature['result'] {
  if (result === 'pass') return 'pass';
  return result === 'temperror' || result === 'temperr' ? 'temperror' : 'fail';
}

const DOMAIN_KEY = '._domainkey.';

/**
 * Answers key queries (`<selector>._domainkey.<domain>`) aligned with the From domain; any other
 * name does not exist. A stranger's signatures then cost no lookup, however many they add.
 */
export function keysOf(fromDomain: string, resolver: DnsResolver): DnsResolver {
  return async (name, rrtype) => {
    const at = name.toLowerCase().indexOf(DOMAIN_KEY);
    const domain = at < 0 ? '' : name.slice(at + DOMAIN_KEY.length);
    if (!domain || !isAligned(domain, fromDomain)) {
      throw Object.assign(new Error(`query${rrtype} ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }
    return resolver(name, rrtype);
  };
}
