// The HTTP side of received faxes: POST /_emulator/receive makes one arrive, and
// POST /v2/faxes/{id}/actions/refresh gives a received fax a new media link.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestNote } from './telnyx-emulator';
import { type EmulatorState, now, reportRequest } from './telnyx-emulator-state';
import { NOT_FOUND, readJson, reply } from './telnyx-http';
import { checkReceiveRequest } from './telnyx-inbound';
import { MEDIA_LINK_MS } from './telnyx-media-links';
import { receive } from './telnyx-receive';
import type { TelnyxError } from './telnyx-request-schema';

// A received document in base64 (Telnyx takes up to 50 MB), with the rest of the request.
const MAX_RECEIVE_BYTES = 70 * 1024 * 1024;

const NO_MEDIA_TO_REFRESH: TelnyxError = {
  code: '10015',
  title: 'Bad Request',
  detail: 'Only a received fax has media to refresh.',
};

export async function receiveRequest(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
) {
  const answer = (status: number, body: unknown, note: RequestNote = {}) => {
    reply(res, status, body);
    reportRequest(state, 'POST', path, status, note);
  };
  const body = await readJson(req, MAX_RECEIVE_BYTES);
  if (!body.ok) return answer(body.status, { errors: [body.error] }, { errors: [body.error] });
  const check = checkReceiveRequest(body.value);
  if (!check.ok) return answer(422, { errors: check.errors }, { errors: check.errors });
  const { fax, pageCount, webhooks } = await receive(state, check.options);
  answer(200, { data: fax, meta: { pageCount, webhooks } }, { faxId: fax.id, to: fax.to });
}

export function refreshMedia(state: EmulatorState, res: ServerResponse, path: string, id: string) {
  const record = state.records.get(id);
  if (!record) {
    reply(res, 404, { errors: [NOT_FOUND] });
    return reportRequest(state, 'POST', path, 404, { faxId: id });
  }
  if (!state.documents.has(id)) {
    const errors = [NO_MEDIA_TO_REFRESH];
    reply(res, 422, { errors });
    return reportRequest(state, 'POST', path, 422, { faxId: id, errors });
  }
  record.fax.media_url = state.links.issue(state.origin, id, MEDIA_LINK_MS);
  record.fax.updated_at = now();
  reply(res, 200, { data: { result: 'ok' } });
  reportRequest(state, 'POST', path, 200, { faxId: id });
}
