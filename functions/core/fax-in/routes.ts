// Who receives the faxes that arrive on each of the bridge's numbers (INBOUND_ROUTES): read and
// checked once, by the settings of the receiver and of the deploy alike.

export type Delivery = 'attach' | 'link' | 'notify';

export interface Route {
  /** Lower-case addresses, each once. */
  to: string[];
  delivery: Delivery;
}

/** Keyed by the receiving number (E.164), or `*` for every number without its own route. */
export type Routes = Readonly<Record<string, Route>>;

export const ANY_NUMBER = '*';
/** TrustFax's limit; more than this is a mailing list, which the route should name instead. */
export const MAX_ROUTE_ADDRESSES = 10;

const DELIVERIES: readonly Delivery[] = ['attach', 'link', 'notify'];
const E164 = /^\+[1-9]\d{6,14}$/;
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

export type RoutesReading = { ok: true; routes: Routes } | { ok: false; problem: string };

/** The routes in `json`, or the first problem in words that name the key at fault. */
export function readRoutes(json: string): RoutesReading {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return problem(
      'is not JSON: write it like {"+13125550100": {"to": ["frontdesk@example.com"], "delivery": "attach"}}',
    );
  }
  if (!isObject(value)) return problem('must be a JSON object of numbers (or "*") to routes');
  const routes: Record<string, Route> = {};
  for (const [key, entry] of Object.entries(value)) {
    const route = readRoute(key, entry);
    if (typeof route === 'string') return problem(route);
    routes[key] = route;
  }
  return { ok: true, routes };
}

function readRoute(key: string, entry: unknown): Route | string {
  if (key !== ANY_NUMBER && !E164.test(key)) {
    return `has the key "${short(key)}": each key must be * or an E.164 number like +13125550100`;
  }
  if (!isObject(entry)) return `"${key}" must be an object with "to" and "delivery"`;
  const { to, delivery } = entry;
  if (!Array.isArray(to) || to.length === 0 || to.length > MAX_ROUTE_ADDRESSES) {
    return `"${key}" must list 1 to ${MAX_ROUTE_ADDRESSES} addresses in "to"`;
  }
  const bad = to.find((address) => typeof address !== 'string' || !ADDRESS.test(address.trim()));
  if (bad !== undefined) {
    return `"${key}" has "${short(String(bad))}" in "to", which is not an email address`;
  }
  if (!DELIVERIES.includes(delivery as Delivery)) {
    return `"${key}" must have "delivery" attach, link or notify`;
  }
  const addresses = [...new Set(to.map((address: string) => address.trim().toLowerCase()))];
  return { to: addresses, delivery: delivery as Delivery };
}

/** The receiving number's route, else the `*` route, else none. */
export function routeFor(routes: Routes, receivingNumber: string): Route | undefined {
  if (Object.hasOwn(routes, receivingNumber) && receivingNumber !== ANY_NUMBER) {
    return routes[receivingNumber];
  }
  return Object.hasOwn(routes, ANY_NUMBER) ? routes[ANY_NUMBER] : undefined;
}

const problem = (text: string): RoutesReading => ({ ok: false, problem: text });

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

// A setting's text in an error message: enough to find it, not a page of it.
const short = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
