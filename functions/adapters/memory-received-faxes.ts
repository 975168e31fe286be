import type { ReceivedFax, ReceivedFaxLog } from '../core/shared/ports';

/** The received-fax log in memory, for the tests and the bench. */
export class MemoryReceivedFaxes implements ReceivedFaxLog {
  readonly items = new Map<string, { fax: ReceivedFax; at: string; expiresAt: number }>();

  async recordReceived(
    fax: ReceivedFax,
    at: string,
    expiresAt: number,
  ): Promise<'first' | 'again'> {
    if (this.items.has(fax.faxId)) return 'again';
    this.items.set(fax.faxId, { fax: structuredClone(fax), at, expiresAt });
    return 'first';
  }
}
