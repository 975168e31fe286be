import type * as z from 'zod/mini';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`fax-bridge settings are wrong:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; a ConfigError names every wrong variable. */
export function parseEnv<T extends z.ZodMiniType>(schema: T, env: Env): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => `${String(issue.path[0] ?? 'settings')} ${issue.message}`),
  );
}
