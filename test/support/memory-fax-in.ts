// In-memory collaborators of the receiver (functions/core/fax-in), for tests of its core.
import { MemoryLedger } from '../../functions/adapters/memory-ledger';
import { MemoryReceivedFaxes } from '../../functions/adapters/memory-received-faxes';
import type { FaxInDeps, FaxInSettings } from '../../functions/core/fax-in/deliver-received-fax';
import type {
  MediaDownload,
  MediaFetcher,
  ReceivedFaxApi,
  ReceivedFaxLookup,
  ReceivedFaxStore,
} from '../../functions/core/shared/ports';
import { RecordingMailer, recordingLog } from './memory-ports';

export class MemoryReceivedFaxStore implements ReceivedFaxStore {
  readonly documents = new Map<string, Uint8Array>();

  async putReceived(faxId: string, pdf: Uint8Array): Promise<void> {
    this.documents.set(faxId, pdf);
  }

  async getReceived(faxId: string): Promise<Uint8Array | undefined> {
    return this.documents.get(faxId);
  }
}

/** Serves `links` (url → bytes); any other link has expired, as S3's do, with a 403. */
export class MemoryMediaFetcher implements MediaFetcher {
  readonly links = new Map<string, Uint8Array>();
  readonly fetched: string[] = [];

  async fetch(url: string, maxBytes: number): Promise<MediaDownload> {
    this.fetched.push(url);
    const bytes = this.links.get(url);
    if (!bytes) return { kind: 'expired', status: 403 };
    if (bytes.byteLength > maxBytes) return { kind: 'failed', detail: 'too large' };
    return { kind: 'downloaded', bytes };
  }
}

/** Refreshing a fax serves its document (`documents`) at a fresh link of `fetcher`. */
const FRONT_DESK = '+13125550100';

export class MemoryReceivedFaxApi implements ReceivedFaxApi {
  readonly documents = new Map<string, Uint8Array>();
  /** The link `GET /v2/faxes/{id}` gives for a fax, until a refresh replaces it. */
  readonly mediaUrls = new Map<string, string>();
  /** The number each fax was received on, when a test says; else the routed front desk's. */
  readonly receivedOn = new Map<string, string>();
  /** Faxes this account has, beside those with a document (one that failed to arrive, say). */
  readonly known = new Set<string>();
  readonly refreshed: string[] = [];

  constructor(private readonly fetcher: MemoryMediaFetcher) {}

  async lookupReceived(faxId: string): Promise<ReceivedFaxLookup> {
    if (!this.documents.has(faxId) && !this.known.has(faxId)) return { kind: 'not_found' };
    const to = this.receivedOn.get(faxId) ?? FRONT_DESK;
    return { kind: 'found', direction: 'inbound', to, mediaUrl: this.mediaUrls.get(faxId) };
  }

  async refreshMedia(faxId: string) {
    this.refreshed.push(faxId);
    const document = this.documents.get(faxId);
    if (!document) return { kind: 'unavailable' as const, detail: '404 Not Found' };
    const mediaUrl = `https://telnyx-media.example.com/${faxId}?fresh=${this.refreshed.length}`;
    this.fetcher.links.set(mediaUrl, document);
    this.mediaUrls.set(faxId, mediaUrl);
    return { kind: 'refreshed' as const, mediaUrl };
  }
}

export const FAX_IN_SETTINGS: FaxInSettings = {
  noticeFrom: 'fax@fax.example.com',
  timeZone: 'America/Chicago',
  faxDomain: 'fax.example.com',
  routes: {
    '+13125550100': {
      to: ['frontdesk@clinic.example', 'dr.ortiz@clinic.example'],
      delivery: 'attach',
    },
    '*': { to: ['admin@clinic.example'], delivery: 'link' },
  },
  blockedNumbers: ['+13125559999'],
  linkDays: 7,
  retentionDays: 7,
  linkBase: 'https://hooks.example.com/faxes-in/',
};

export function faxInWorld(now = new Date('2026-03-05T15:15:00Z')) {
  const fetcher = new MemoryMediaFetcher();
  const deps = {
    received: new MemoryReceivedFaxes(),
    store: new MemoryReceivedFaxStore(),
    fetcher,
    telnyx: new MemoryReceivedFaxApi(fetcher),
    ledger: new MemoryLedger(),
    mailer: new RecordingMailer(),
    clock: () => now,
    log: recordingLog(),
    linkSecret: async () => 'a-link-key-of-thirty-two-characters!',
  } satisfies FaxInDeps;
  return deps;
}
