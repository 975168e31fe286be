// The house rules on who may import whom (shared/STYLE.md), read from the source text.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SourceFile {
  /** Path from the repo root, with forward slashes. */
  path: string;
  text: string;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(file: SourceFile): string[] {
  return [...file.text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** The repo path an import names, for relative imports; the package name otherwise. */
export function resolveImport(from: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
}

/** `inbound` for functions/core/inbound/mail/x.ts; undefined outside core. */
const flowOf = (file: string) => file.match(/^functions\/core\/([^/]+)\//)?.[1];

const SDKS = /^@aws-sdk\/|^@aws-lambda-powertools\/|^aws-lambda$/;

/** Every import that breaks a rule, as `file → import: rule`. */
export function violations(files: SourceFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const flow = flowOf(file.path);
    if (file.path.startsWith('functions/') && !file.path.startsWith('functions/config/')) {
      if (/\bprocess\.env\b/.test(file.text)) found.push(`${file.path}: reads process.env`);
    }
    if (!flow) continue;
    for (const specifier of importsOf(file)) {
      const target = resolveImport(file.path, specifier);
      const rule = coreRule(flow, target);
      if (rule) found.push(`${file.path} → ${specifier}: ${rule}`);
    }
  }
  return found;
}

function coreRule(flow: string, target: string): string | undefined {
  if (SDKS.test(target)) return 'core never imports an AWS SDK client';
  if (!target.startsWith('functions/')) return undefined;
  const targetFlow = flowOf(target);
  if (!targetFlow) return 'core imports only core';
  if (targetFlow === flow || targetFlow === 'shared') return undefined;
  return flow === 'shared'
    ? 'shared/ imports no flow'
    : `a flow imports only its own folder and shared/, not ${targetFlow}/`;
}

export function sourceFiles(root: string, folder: string): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) {
        out.push({ path: rel, text: readFileSync(path.join(root, rel), 'utf8') });
      }
    }
  };
  walk(folder);
  return out;
}
