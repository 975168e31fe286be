// What the operator commands share: arguments (a wrong one prints the usage and exits 2), where
// their output goes, and the table they print.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Arguments that cannot be run: the command prints why and its usage, and exits 2. */
export class UsageError extends Error {}

export const USAGE_EXIT = 2;

type Options = NonNullable<ParseArgsConfig['options']>;

/** The command's flags, or a UsageError for anything else (stray words included). */
export function flags<const O extends Options>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs a command to its exit code: 2 with the usage for bad arguments, 1 for a failure. */
export async function runCommand(
  usage: string,
  io: Io,
  command: () => Promise<number>,
): Promise<number> {
  try {
    return await command();
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(error.message);
      io.err(usage);
      return USAGE_EXIT;
    }
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

/** Columns padded to their widest cell, numbers to the right. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^\d*$/.test(r[i] ?? '')),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** True when this module is the script node was started with (not imported by a test). */
export const isMain = (moduleUrl: string) =>
  process.argv[1] !== undefined && fileURLToPath(moduleUrl) === path.resolve(process.argv[1]);
