// Where the tests find the repo and the steering repo's shared/ folder, which a fresh clone lacks.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const ownEmailsDir = path.join(repoRoot, 'fixtures', 'emails');

const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const sharedPath = (...parts: string[]) => path.join(sharedDir, ...parts);
export const realEmailsDir = sharedPath('fixtures', 'emails', 'real');

/**
 * Marks a test or suite name that reads ../shared; the skip reporter counts the ones skipped
 * without it, so a run on a fresh clone says what it did not check.
 */
export const NEEDS_SHARED = '[needs ../shared]';
export const hasShared = (file: string) => existsSync(file);
export const sharedName = (name: string) => `${name} ${NEEDS_SHARED}`;
