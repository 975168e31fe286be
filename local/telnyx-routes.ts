// Which handler answers a request: the presigned media links without Telnyx's key, then the API
// behind its Bearer key, and 404 for anything else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiObject, type EmulatorState, now, report, reportRequest } from './telnyx-emulator-state';
import { listFaxes } from './telnyx-fax-list';
import { INTERNAL, NOT_FOUND, reply, UNAUTHENTICATED } from './telnyx-http';
import { RECEIVE_PATH } from './telnyx-inbound';
import { receiveRequest, refreshMedia } from './telnyx-inbound-requests';
import { answerMedia, MEDIA_PATH } from './telnyx-media-links';
import { sendFax } from './telnyx-send-fax';

export function route(state: EmulatorState, req: IncomingMessage, res: ServerResponse) {
  const { pathname: path, searchParams } = new URL(req.url ?? '/', 'http://emulator');
  const method = req.method ?? 'GET';
  // A presigned link carries its own proof; Telnyx's key must not be needed (nor sent) for it.
  if (method === 'GET' && path.startsWith(MEDIA_PATH)) {
    req.resume();
    return serveMedia(state, res, path, searchParams);
  }
  if (req.headers.authorization !== `Bearer ${state.options.apiKey}`) {
    req.resume();
    reply(res, 401, { errors: [UNAUTHENTICATED] });
    reportRequest(state, method, path, 401);
    return;
  }
  routeApi(state, req, res, { method, path, query: searchParams });
}

interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
}

function routeApi(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  { method, path, query }: ApiRequest,
) {
  const view = /^\/v2\/faxes\/([^/]+)$/.exec(path);
  const refresh = /^\/v2\/faxes\/([^/]+)\/actions\/refresh$/.exec(path);
  if (method === 'POST' && path === '/v2/faxes') {
    sendFax(state, req, res, path).catch(() => reply(res, 500, { errors: [INTERNAL] }));
  } else if (method === 'POST' && path === RECEIVE_PATH) {
    receiveRequest(state, req, res, path).catch(() => reply(res, 500, { errors: [INTERNAL] }));
  } else if (method === 'POST' && refresh) {
    req.resume();
    refreshMedia(state, res, path, decodeURIComponent(refresh[1] as string));
  } else if (method === 'GET' && path === '/v2/faxes') {
    listed(state, res, path, query);
  } else if (method === 'GET' && view) {
    viewFax(state, res, path, decodeURIComponent(view[1] as string));
  } else {
    req.resume();
    reply(res, 404, { errors: [NOT_FOUND] });
    reportRequest(state, method, path, 404);
  }
}

function listed(state: EmulatorState, res: ServerResponse, path: string, query: URLSearchParams) {
  const page = listFaxes(
    [...state.records.values()].map(({ fax }) => apiObject(fax)),
    query,
  );
  const status = page.ok ? 200 : 422;
  reply(res, status, page.ok ? { data: page.data, meta: page.meta } : { errors: [page.error] });
  reportRequest(state, 'GET', path, status, page.ok ? {} : { errors: [page.error] });
}

function viewFax(state: EmulatorState, res: ServerResponse, path: string, id: string) {
  const record = state.records.get(id);
  const status = record ? 200 : 404;
  reply(res, status, record ? { data: apiObject(record.fax) } : { errors: [NOT_FOUND] });
  reportRequest(state, 'GET', path, status, { faxId: id });
}

function serveMedia(
  state: EmulatorState,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
) {
  const check = state.links.check(path, query);
  const status = answerMedia(res, check, check.ok ? state.documents.get(check.faxId) : undefined);
  report(state, { kind: 'media', at: now(), status, ...(check.ok ? { faxId: check.faxId } : {}) });
}
