// A fax that did not arrive (Telnyx's inbound fax.failed): a short notice to its route, once per
// address, so that an expected fax is not waited for in silence.
import type { FaxInMessage } from '../shared/ports';
import type { FaxInDeps, FaxInSettings } from './deliver-received-fax';
import { arrivedAt } from './deliver-received-fax';
import { emailRoute, pending, type RouteEmails } from './email-route';
import { failedArrivalEmail } from './received-fax-email';
import { routeFor } from './routes';

export type FailedArrivalOutcome =
  | { kind: 'notified'; emails: RouteEmails }
  | { kind: 'emails_pending'; emails: RouteEmails }
  | { kind: 'blocked' }
  | { kind: 'unrouted' }
  /** Signed by Telnyx, but not a fax this account was sent (another customer's event). */
  | { kind: 'not_ours' };

const DAY_SECONDS = 86_400;

export async function reportFailedArrival(
  message: Extract<FaxInMessage, { kind: 'failed' }>,
  settings: FaxInSettings,
  deps: Pick<FaxInDeps, 'ledger' | 'mailer' | 'clock' | 'log' | 'telnyx'>,
): Promise<FailedArrivalOutcome> {
  const { fax, failureReason } = message;
  const lookup = await deps.telnyx.lookupReceived(fax.faxId);
  // Thrown, the message comes back: whether the fax is this account's must be known first.
  if (lookup.kind === 'unavailable') throw new Error(`fax lookup failed: ${lookup.detail}`);
  const foreign =
    lookup.kind === 'not_found' || lookup.direction !== 'inbound' || lookup.to !== fax.to;
  if (foreign) return { kind: 'not_ours' };
  if (settings.blockedNumbers.includes(fax.from)) return { kind: 'blocked' };
  const route = routeFor(settings.routes, fax.to);
  if (!route) return { kind: 'unrouted' };
  const now = deps.clock();
  const at = arrivedAt(fax, now);
  const emails = await emailRoute(
    'fax-in-failed',
    fax.faxId,
    route.to,
    (to) => failedArrivalEmail({ fax, failureReason, to, at }, settings),
    { expiresAt: Math.floor(now.getTime() / 1000) + settings.retentionDays * DAY_SECONDS },
    deps,
  );
  return pending(emails) > 0 ? { kind: 'emails_pending', emails } : { kind: 'notified', emails };
}
