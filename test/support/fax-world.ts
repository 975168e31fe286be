// One fax job's world in memory: the ledger, the call leases, the queue, Telnyx and the mailer, a
// clock the test moves; the dispatch, the webhook core and the sweeper all run in it.
import { newFaxJob } from '../../fixtures/fax-jobs';
import { MemoryCallLeases } from '../../functions/adapters/memory-call-leases';
import { MemoryLedger } from '../../functions/adapters/memory-ledger';
import {
  type DispatchDeps,
  type DispatchSettings,
  dispatchFax,
} from '../../functions/core/dispatch/dispatch-fax';
import { verifyClientState } from '../../functions/core/shared/client-state';
import type {
  FaxJob,
  FaxRequest,
  FaxSendResult,
  NewFaxJob,
} from '../../functions/core/shared/ports';
import { applyReport, type FaxReport } from '../../functions/core/webhook/apply-report';
import {
  type SweepDeps,
  type SweepSettings,
  sweepFaxes,
} from '../../functions/core/webhook/sweep-faxes';
import { DISPATCH_SETTINGS, RecordingQueue } from './memory-dispatch';
import { MemoryMediaStore, RecordingFaxApi, RecordingMailer, recordingLog } from './memory-ports';
import { CLIENT_STATE_SECRET } from './telnyx-events';

export const SWEEP_SETTINGS: SweepSettings & DispatchSettings = {
  ...DISPATCH_SETTINGS,
  channels: 2,
  retry: { attempts: 3, delaySeconds: 300 },
  sweepAfterSeconds: 1800,
  leaseSeconds: 3000,
};

export class FaxWorld {
  now = new Date('2026-03-05T15:13:00.000Z');
  readonly ledger = new MemoryLedger();
  readonly leases = new MemoryCallLeases();
  readonly queue = new RecordingQueue();
  readonly fax: RecordingFaxApi;
  readonly mailer = new RecordingMailer();
  readonly media = new MemoryMediaStore();
  readonly log = recordingLog();
  settings = { ...SWEEP_SETTINGS };

  constructor(answer?: (request: FaxRequest) => FaxSendResult) {
    this.fax = new RecordingFaxApi(answer);
  }

  get deps(): DispatchDeps & SweepDeps {
    return {
      ledger: this.ledger,
      leases: this.leases,
      queue: this.queue,
      fax: this.fax,
      mailer: this.mailer,
      media: this.media,
      clock: () => new Date(this.now),
      log: this.log,
      clientStateSecret: async () => CLIENT_STATE_SECRET,
      random: () => 0.5,
    };
  }

  /** A job as the inbound function claims it, and its first message on the queue. */
  async claim(overrides: Partial<NewFaxJob> = {}): Promise<NewFaxJob> {
    const job = newFaxJob({ createdAt: this.now.toISOString(), ...overrides });
    await this.ledger.claimFax(job);
    await this.media.putDocument(job.mediaKey, new Uint8Array([37, 80, 68, 70]));
    await this.queue.enqueue({ messageId: job.messageId, recipient: job.recipient, attempt: 1 }, 0);
    return job;
  }

  /** Dispatches every queued message whose delay has passed by `now`, oldest first. */
  async dispatchDue() {
    const due = this.queue.messages.splice(0);
    const outcomes = [];
    for (const queued of due) {
      outcomes.push(await dispatchFax(queued.message, this.settings, this.deps));
    }
    return outcomes;
  }

  advance(seconds: number) {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }

  job(key: NewFaxJob): FaxJob {
    const job = this.ledger.jobs.get(`job#${key.messageId}#${key.recipient}`);
    if (!job) throw new Error('no such job');
    return job;
  }

  /** What Telnyx tells about the fax of the last request: as a webhook would, for its attempt. */
  async report(key: NewFaxJob, report: Omit<FaxReport, 'faxId'> & { faxId?: string }) {
    const request = this.fax.requests.at(-1) as FaxRequest;
    const state = verifyClientState(request.clientState, CLIENT_STATE_SECRET);
    if (!state.valid) throw new Error('client_state not ours');
    const job = this.job(key);
    const faxId = report.faxId ?? job.faxId ?? 'fax-?';
    return applyReport(job, state.attempt, { ...report, faxId }, this.settings, this.deps);
  }

  sweep() {
    return sweepFaxes(this.settings, this.deps);
  }
}
