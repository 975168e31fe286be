// `GET /v2/faxes` as fax-openapi.json's ListFaxes has it: deepObject filters on to, from,
// direction and created_at, `page[size]` and `page[number]`, newest first, with PaginationMeta.
import type { TelnyxError } from './telnyx-request-schema';

export interface ListedFax {
  to: string;
  from: string;
  direction: string;
  created_at: string;
}

export type FaxPage<T> =
  | {
      ok: true;
      data: T[];
      meta: { page_number: number; page_size: number; total_pages: number; total_results: number };
    }
  | { ok: false; error: TelnyxError };

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 250;
const TEXT_FILTERS = ['to', 'from', 'direction'] as const;
const TIME_FILTERS = {
  gt: (created: number, bound: number) => created > bound,
  gte: (created: number, bound: number) => created >= bound,
  lt: (created: number, bound: number) => created < bound,
  lte: (created: number, bound: number) => created <= bound,
};

export function listFaxes<T extends ListedFax>(faxes: T[], query: URLSearchParams): FaxPage<T> {
  const size = pageParameter(query, 'size', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  if (!size.ok) return size;
  const number = pageParameter(query, 'number', 1, Number.MAX_SAFE_INTEGER);
  if (!number.ok) return number;
  const tests: ((fax: T) => boolean)[] = [];
  for (const field of TEXT_FILTERS) {
    const wanted = query.get(`filter[${field}][eq]`);
    if (wanted !== null) tests.push((fax) => fax[field] === wanted);
  }
  for (const [operator, holds] of Object.entries(TIME_FILTERS)) {
    const parameter = `filter[created_at][${operator}]`;
    const value = query.get(parameter);
    if (value === null) continue;
    const bound = Date.parse(value);
    if (Number.isNaN(bound)) return invalid(parameter, 'must be an ISO 8601 date-time');
    tests.push((fax) => holds(Date.parse(fax.created_at), bound));
  }
  const matching = faxes
    .filter((fax) => tests.every((test) => test(fax)))
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  const start = (number.value - 1) * size.value;
  return {
    ok: true,
    data: matching.slice(start, start + size.value),
    meta: {
      page_number: number.value,
      page_size: size.value,
      total_pages: Math.max(1, Math.ceil(matching.length / size.value)),
      total_results: matching.length,
    },
  };
}

function pageParameter(
  query: URLSearchParams,
  name: 'size' | 'number',
  fallback: number,
  max: number,
): { ok: true; value: number } | { ok: false; error: TelnyxError } {
  const parameter = `page[${name}]`;
  const value = query.get(parameter);
  if (value === null) return { ok: true, value: fallback };
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  return number >= 1 && number <= max
    ? { ok: true, value: number }
    : invalid(parameter, `must be a whole number from 1 to ${max}`);
}

const invalid = (parameter: string, detail: string): { ok: false; error: TelnyxError } => ({
  ok: false,
  error: {
    code: '10033',
    title: 'Value outside of range',
    detail: `${parameter} ${detail}.`,
    source: { parameter },
  },
});
