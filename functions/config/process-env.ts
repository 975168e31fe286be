import type { Env } from './config-error';

/** The one place that reads the process environment: a handler's settings at cold start. */
export const processEnv = (): Env => ({ ...process.env });
