import type { CallLease, CallLeases, JobKey, LeaseResult } from '../core/shared/ports';
import { channelLeasePk, numberLeasePk } from './storage-layout';

/**
 * The call leases in memory, with the DynamoDB adapter's rules (the call-lease contract suite
 * runs against both): each call decides and writes at once, and answers on a later turn of the
 * event loop, so concurrent callers interleave.
 */
export class MemoryCallLeases implements CallLeases {
  /** Leases by their table key (`lease#…`). */
  readonly leases = new Map<string, CallLease>();

  async acquire(job: JobKey, channels: number, now: Date, leaseSeconds: number) {
    return later(this.take(job, channels, now.getTime(), leaseSeconds));
  }

  async renew(job: JobKey, channels: number, now: Date, leaseSeconds: number): Promise<void> {
    const until = now.getTime() + leaseSeconds * 1000;
    for (const pk of this.keysOf(job, channels)) {
      const lease = this.leases.get(pk);
      if (lease) this.leases.set(pk, { ...lease, until });
    }
    return later(undefined);
  }

  async release(job: JobKey, channels: number): Promise<void> {
    for (const pk of this.keysOf(job, channels)) this.leases.delete(pk);
    return later(undefined);
  }

  async held(channels: number): Promise<CallLease[]> {
    const held = channelKeys(channels).flatMap((pk) => this.leases.get(pk) ?? []);
    return later(structuredClone(held));
  }

  private take(job: JobKey, channels: number, nowMs: number, leaseSeconds: number): LeaseResult {
    const lease: CallLease = { ...job, since: nowMs, until: nowMs + leaseSeconds * 1000 };
    const numberPk = numberLeasePk(job.recipient);
    if (!this.free(numberPk, job, nowMs)) return 'number_busy';
    const keys = channelKeys(channels);
    const channel =
      keys.find((pk) => isHolder(this.leases.get(pk), job)) ??
      keys.find((pk) => this.free(pk, job, nowMs));
    if (!channel) {
      if (isHolder(this.leases.get(numberPk), job)) this.leases.delete(numberPk);
      return 'no_channel';
    }
    this.leases.set(numberPk, lease);
    this.leases.set(channel, lease);
    return 'acquired';
  }

  private free(pk: string, job: JobKey, nowMs: number): boolean {
    const lease = this.leases.get(pk);
    return !lease || isHolder(lease, job) || lease.until < nowMs;
  }

  /** The keys `job` holds. */
  private keysOf(job: JobKey, channels: number): string[] {
    const keys = [numberLeasePk(job.recipient), ...channelKeys(channels)];
    return keys.filter((pk) => isHolder(this.leases.get(pk), job));
  }
}

export const channelKeys = (channels: number): string[] =>
  Array.from({ length: channels }, (_, i) => channelLeasePk(i));

export const isHolder = (lease: JobKey | undefined, job: JobKey): boolean =>
  lease !== undefined && lease.messageId === job.messageId && lease.recipient === job.recipient;

const later = <T>(value: T): Promise<T> => new Promise((resolve) => setImmediate(resolve, value));
