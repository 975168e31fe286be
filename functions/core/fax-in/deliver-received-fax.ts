// A received fax: recorded once, its document fetched at once and stored as PDF, then emailed to
// each address of its route, once each. The only module of the received path that calls ports;
// what it decides is in routes.ts, fetch-document.ts and received-fax-email.ts.
import type { ClientStateSecret } from '../shared/client-state';
import { signDownloadToken } from '../shared/download-link';
import type {
  Clock,
  Ledger,
  Log,
  Mailer,
  MediaFetcher,
  ReceivedFax,
  ReceivedFaxApi,
  ReceivedFaxLog,
  ReceivedFaxStore,
} from '../shared/ports';
import { emailRoute, pending, type RouteEmails } from './email-route';
import { type FetchedDocument, fetchDocument } from './fetch-document';
import {
  emailDocument,
  type FaxEmailSettings,
  type FaxLink,
  receivedFaxEmail,
} from './received-fax-email';
import { type Delivery, type Routes, routeFor } from './routes';

export interface FaxInSettings extends FaxEmailSettings {
  routes: Routes;
  /** Callers (E.164) whose faxes are stored but not emailed. */
  blockedNumbers: readonly string[];
  /** How long a download link works. */
  linkDays: number;
  /** How long the ledger keeps what it records of a fax (RETENTION_DAYS). */
  retentionDays: number;
  /** The bridge's download address (`PUBLIC_URL` + `DOWNLOAD_PATH`): a token completes it. */
  linkBase: string;
}

export interface FaxInDeps {
  received: ReceivedFaxLog;
  store: ReceivedFaxStore;
  fetcher: MediaFetcher;
  telnyx: ReceivedFaxApi;
  ledger: Ledger;
  mailer: Mailer;
  clock: Clock;
  log: Log;
  /** The client_state key: it signs download links too. */
  linkSecret: ClientStateSecret;
}

/** `first`: this delivery recorded the fax; a redelivery of the same fax says false. */
export type ReceivedOutcome = { first: boolean } & (
  | { kind: 'emailed'; mode: Delivery; emails: RouteEmails }
  /** Some emails were not sent (SES refused, or another delivery is sending): retry. */
  | { kind: 'emails_pending'; mode: Delivery; emails: RouteEmails }
  | { kind: 'blocked' }
  | { kind: 'unrouted' }
  /** The link and its refresh gave no document: retry while Telnyx may still give one. */
  | { kind: 'fetch_failed'; detail: string }
  | { kind: 'not_a_fax_document'; detail: string }
  /** Signed by Telnyx, but not a fax this account received (another customer's event). */
  | { kind: 'not_ours'; detail: string }
);

const DAY_SECONDS = 86_400;

export async function deliverReceivedFax(
  fax: ReceivedFax,
  settings: FaxInSettings,
  deps: FaxInDeps,
): Promise<ReceivedOutcome> {
  const now = deps.clock();
  const expiresAt = Math.floor(now.getTime() / 1000) + settings.retentionDays * DAY_SECONDS;
  const stored = await storedDocument(fax, deps);
  // Recorded only once Telnyx vouched for it: another customer's event leaves no trace.
  if (stored.kind !== 'stored') return { first: false, ...stored };
  const first = (await deps.received.recordReceived(fax, now.toISOString(), expiresAt)) === 'first';
  if (settings.blockedNumbers.includes(fax.from)) return { first, kind: 'blocked' };
  const route = routeFor(settings.routes, fax.to);
  if (!route) return { first, kind: 'unrouted' };
  const secret = route.delivery === 'notify' ? '' : await deps.linkSecret();
  const link = (): FaxLink => {
    const until = new Date(now.getTime() + settings.linkDays * DAY_SECONDS * 1000);
    return {
      url: `${settings.linkBase}${signDownloadToken(fax.faxId, until, secret)}`,
      expiresAt: until,
    };
  };
  const document = emailDocument(route.delivery, stored.pdf, link);
  const input = { fax, document, pages: fax.pageCount ?? stored.pages, at: arrivedAt(fax, now) };
  const emails = await emailRoute(
    'fax-in',
    fax.faxId,
    route.to,
    (to) => receivedFaxEmail({ ...input, to }, settings),
    { expiresAt },
    deps,
  );
  const kind = pending(emails) > 0 ? 'emails_pending' : 'emailed';
  return { first, kind, mode: document.mode === 'link' ? 'link' : route.delivery, emails };
}

type Stored =
  | { kind: 'stored'; pdf: Uint8Array; pages?: number }
  | Exclude<FetchedDocument, { kind: 'fetched' }>;

/** The stored PDF, fetched and stored first when this is its first delivery to get this far. */
async function storedDocument(fax: ReceivedFax, deps: FaxInDeps): Promise<Stored> {
  const kept = await deps.store.getReceived(fax.faxId);
  if (kept) return { kind: 'stored', pdf: kept };
  const fetched = await fetchDocument(fax, deps);
  if (fetched.kind !== 'fetched') return fetched;
  await deps.store.putReceived(fax.faxId, fetched.pdf);
  deps.log.info('received fax stored', {
    faxId: fax.faxId,
    from: fetched.from,
    bytes: fetched.pdf.byteLength,
  });
  return { kind: 'stored', pdf: fetched.pdf, pages: fetched.pages };
}

/** Telnyx's time of arrival when it gives a readable one, else now. */
export function arrivedAt(fax: Pick<ReceivedFax, 'receivedAt'>, now: Date): Date {
  const at = fax.receivedAt ? Date.parse(fax.receivedAt) : Number.NaN;
  return Number.isNaN(at) ? now : new Date(at);
}
