// The dispatch queue for tests of the inbound core: a message due now is dispatched at once, in
// process, against the same ledger and fax API, so a test still sees the request Telnyx would get;
// a delayed one (a wait for a channel, a retry) is only kept.
import { MemoryCallLeases } from '../../functions/adapters/memory-call-leases';
import {
  type DispatchDeps,
  type DispatchOutcome,
  type DispatchSettings,
  dispatchFax,
} from '../../functions/core/dispatch/dispatch-fax';
import type { DispatchMessage, DispatchQueue } from '../../functions/core/shared/ports';

export interface QueuedMessage {
  message: DispatchMessage;
  delaySeconds: number;
}

/** Keeps what it is given. */
export class RecordingQueue implements DispatchQueue {
  readonly messages: QueuedMessage[] = [];

  async enqueue(message: DispatchMessage, delaySeconds: number): Promise<void> {
    this.messages.push({ message: structuredClone(message), delaySeconds });
  }
}

export const DISPATCH_SETTINGS: DispatchSettings = {
  telnyx: {
    connectionId: '234423',
    fromNumber: '+13125790015',
    webhookUrl: 'https://hooks.example.com/webhooks/telnyx',
  },
  mediaUrlTtlSeconds: 900,
  leaseSeconds: 3000,
  waitSeconds: 30,
  channels: 1000,
  noticeFrom: 'fax@fax.example.com',
  noticeTimeZone: 'UTC',
  attachFailedDocument: false,
  transmissionReport: 'off',
  retentionDays: 7,
};

/** Dispatches each message due now; `outcomes` says what became of each. */
export class ImmediateDispatch extends RecordingQueue {
  readonly outcomes: DispatchOutcome[] = [];
  private deps?: DispatchDeps;

  constructor(private readonly settings: DispatchSettings = DISPATCH_SETTINGS) {
    super();
  }

  /** The collaborators, given once the inbound deps they share exist. */
  connect(deps: Omit<DispatchDeps, 'queue' | 'leases' | 'random'>): this {
    this.deps = { ...deps, queue: this, leases: new MemoryCallLeases(), random: () => 0.5 };
    return this;
  }

  override async enqueue(message: DispatchMessage, delaySeconds: number): Promise<void> {
    await super.enqueue(message, delaySeconds);
    if (delaySeconds > 0 || !this.deps) return;
    this.outcomes.push(await dispatchFax(message, this.settings, this.deps));
  }
}
