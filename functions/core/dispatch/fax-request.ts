import { encodeClientState } from '../shared/client-state';
import { t38After } from '../shared/failure-classes';
import type { FaxJob, FaxRequest } from '../shared/ports';

export interface TelnyxSettings {
  connectionId: string;
  fromNumber: string;
  webhookUrl: string;
}

/** The request for one attempt at a job: a protocol failure's redial goes without T.38. */
export function faxRequest(
  job: FaxJob,
  attempt: number,
  mediaUrl: string,
  telnyx: TelnyxSettings,
  clientStateSecret: string,
): FaxRequest {
  const key = { messageId: job.messageId, recipient: job.recipient };
  const request: FaxRequest = {
    connectionId: telnyx.connectionId,
    from: telnyx.fromNumber,
    to: job.recipient,
    mediaUrl,
    quality: job.quality ?? 'high',
    webhookUrl: telnyx.webhookUrl,
    clientState: encodeClientState(key, attempt, clientStateSecret),
  };
  const t38 = t38After(job.dials?.at(-1)?.failureReason);
  if (t38 !== undefined) request.t38Enabled = t38;
  return request;
}
