// Fault injection without mocking modules: the core functions take their collaborators as
// arguments, so tests wrap the real adapters in a decorator that breaks at a chosen call.

/** Where a fault strikes: the `nth` call (1-based) of `call` (`port.method`), or of any call. */
export interface Fault {
  call?: string;
  nth?: number;
  /** Before the call reaches the adapter, or after the adapter finished it. */
  when: 'before' | 'after';
  /**
   * `crash`: the run stops dead, as when Lambda times out or runs out of memory: nothing after the
   * point runs, no catch or finally block either. `fail`: the call throws `error()`.
   */
  mode: 'crash' | 'fail';
  error?: () => Error;
}

export class InjectedFailure extends Error {
  constructor(call: string) {
    super(`injected failure at ${call}`);
    this.name = 'InjectedFailure';
  }
}

/** An error shaped like the AWS SDK's when a service throttles (after the SDK's own retries). */
export function throttled(
  name:
    | 'ThrottlingException'
    | 'ProvisionedThroughputExceededException'
    | 'Throttling' = 'ThrottlingException',
): Error {
  return Object.assign(new Error('Rate exceeded'), {
    name,
    $fault: 'client',
    $retryable: { throttling: true },
    $metadata: { httpStatusCode: 400, attempts: 3, totalRetryDelay: 900 },
  });
}

/** Counts calls across every wrapped port and fires the fault once. */
export class FaultPlan {
  /** Every call in order, as `port.method`. */
  readonly calls: string[] = [];
  fired = false;
  /** Settles once a `crash` fault has stopped the run. */
  readonly crashed: Promise<'crashed'>;
  private matches = 0;
  private reportCrash: (value: 'crashed') => void = () => {};

  constructor(readonly fault?: Fault) {
    this.crashed = new Promise((resolve) => {
      this.reportCrash = resolve;
    });
  }

  /** Wraps each method of `target` so that its calls pass through this plan. */
  wrap<T extends object>(port: string, target: T): T {
    return new Proxy(target, {
      get: (object, key) => {
        const value = Reflect.get(object, key, object);
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]) =>
          this.run(`${port}.${key}`, () => Reflect.apply(value, object, args));
      },
    });
  }

  private async run(call: string, invoke: () => unknown): Promise<unknown> {
    this.calls.push(call);
    const fault = this.fault;
    const hit =
      fault !== undefined &&
      !this.fired &&
      (fault.call === undefined || fault.call === call) &&
      ++this.matches === (fault.nth ?? 1);
    if (hit && fault.when === 'before') return this.strike(fault, call);
    const result = await invoke();
    if (hit) return this.strike(fault, call);
    return result;
  }

  private strike(fault: Fault, call: string): Promise<never> {
    this.fired = true;
    if (fault.mode === 'fail') throw fault.error?.() ?? new InjectedFailure(call);
    this.reportCrash('crashed');
    return new Promise<never>(() => {});
  }
}

/** Runs `work` until it settles or the plan's crash stops it. */
export async function runUntilCrash<T>(
  plan: FaultPlan,
  work: () => Promise<T>,
): Promise<{ kind: 'done'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'crashed' }> {
  const settled = work().then(
    (value) => ({ kind: 'done' as const, value }),
    (error: unknown) => ({ kind: 'failed' as const, error }),
  );
  return Promise.race([settled, plan.crashed.then(() => ({ kind: 'crashed' as const }))]);
}
