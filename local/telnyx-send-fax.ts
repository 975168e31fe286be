// POST /v2/faxes: the checks Telnyx makes before it accepts a fax (the body, the schema, the
// destination, the rate limit), each answer recorded among the posts and the activity.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceivedPost, RequestNote } from './telnyx-emulator';
import {
  apiObject,
  type EmulatorState,
  type FaxRecord,
  now,
  reportRequest,
  track,
} from './telnyx-emulator-state';
import { RATE_LIMITED_HEADERS, readJson, reply, TOO_MANY_REQUESTS } from './telnyx-http';
import { acceptOutbound, runOutbound } from './telnyx-outbound';
import {
  checkSendFaxRequest,
  type SendFaxRequest,
  type TelnyxError,
} from './telnyx-request-schema';

export async function sendFax(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) {
  const received: ReceivedPost = { at: now(), status: 0 };
  state.posts.push(received);
  const answer = (status: number, body: unknown, note: RequestNote = {}, headers = {}) => {
    received.status = status;
    if (note.faxId) received.faxId = note.faxId;
    reply(res, status, body, headers);
    reportRequest(state, 'POST', path, status, note);
  };
  const body = await readJson(req);
  if (!body.ok) return answer(body.status, { errors: [body.error] }, { errors: [body.error] });
  const check = checkSendFaxRequest(body.value);
  if (!check.ok) return answer(422, { errors: check.errors }, { errors: check.errors });
  const { request } = check;
  Object.assign(received, postedFields(request));
  const refusal = refusalOf(request, state.outcomes.refuses(request.to));
  if (refusal) return answer(422, { errors: [refusal] }, { to: request.to, errors: [refusal] });
  if (state.outcomes.throttles(request.to)) {
    const errors = [TOO_MANY_REQUESTS];
    return answer(429, { errors }, { to: request.to, errors }, RATE_LIMITED_HEADERS);
  }
  const fax = acceptOutbound(state, request);
  res.once('finish', () =>
    track(state, runOutbound(state, state.records.get(fax.id) as FaxRecord)),
  );
  answer(202, { data: apiObject(fax) }, { faxId: fax.id, to: fax.to });
}

function refusalOf(request: SendFaxRequest, refusedNumber: boolean): TelnyxError | undefined {
  if (request.media_name !== undefined) {
    return {
      code: '10005',
      title: 'Resource not found',
      detail: `No media named ${request.media_name}: this emulator has no media storage; use media_url.`,
      source: { pointer: '/media_name' },
    };
  }
  if (refusedNumber) {
    return {
      code: '422',
      title: 'Unprocessable Entity',
      detail: 'The destination number cannot receive faxes.',
      source: { pointer: '/to' },
    };
  }
  return undefined;
}

function postedFields(request: SendFaxRequest): Partial<ReceivedPost> {
  return {
    to: request.to,
    ...(request.client_state === undefined ? {} : { clientState: request.client_state }),
    ...(request.t38_enabled === undefined ? {} : { t38Enabled: request.t38_enabled }),
  };
}
