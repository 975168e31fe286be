// One readable line for each thing the Telnyx emulator did, for `npm start`'s console.
import type { EmulatorActivity } from './telnyx-emulator';

const short = (id: string) => id.slice(0, 8);

export function telnyxActivityLine(activity: EmulatorActivity): string {
  switch (activity.kind) {
    case 'request': {
      const fax = activity.faxId ? ` fax ${short(activity.faxId)}` : '';
      const errors = activity.errors?.map((e) => e.detail).join('; ');
      return `telnyx: ${activity.method} ${activity.path} -> ${activity.status}${fax}${errors ? `: ${errors}` : ''}`;
    }
    case 'download':
      return activity.result.kind === 'ok'
        ? `telnyx: fax ${short(activity.faxId)} fetched its media: ${activity.result.pages} pages`
        : `telnyx: fax ${short(activity.faxId)} could not use its media (${activity.result.reason}): ${activity.result.detail}`;
    case 'media':
      return activity.faxId
        ? `telnyx: received fax ${short(activity.faxId)} media link fetched -> ${activity.status}`
        : `telnyx: a received fax's media link was refused -> ${activity.status}`;
    case 'webhook': {
      const answer =
        'status' in activity.answer
          ? `${activity.answer.status}`
          : `no answer (${activity.answer.error})`;
      const retry = activity.willRetry ? ', will retry' : '';
      return `telnyx: fax ${short(activity.faxId)} ${activity.eventType} webhook attempt ${activity.attempt} -> ${answer}${retry}`;
    }
  }
}
