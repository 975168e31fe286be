// Starts a handler process (worker.ts, bundled) and talks to it one command at a time.
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import type { CallResult, PeakMethod, WorkerCommand, WorkerReply } from './worker';

export interface Worker {
  load(modules: Record<string, string>): Promise<Record<string, number>>;
  call(module: string, event: unknown, options?: unknown): Promise<CallResult>;
  /** Garbage collected, RSS noted, peak count restarted. */
  idle(): Promise<{ rssBytes: number; peakMethod: PeakMethod }>;
  peak(): Promise<{ peakBytes: number; peakMethod: PeakMethod }>;
  /** Bytes the handlers wrote to stdout (their JSON log lines) since the last call. */
  takeLogBytes(): number;
  stop(): Promise<void>;
}

type Answer = Extract<WorkerReply, { ok: true }>;

/** With `profileDir`, the process writes a V8 CPU profile there when it ends (node --cpu-prof). */
export function startWorker(
  file: string,
  env: Record<string, string>,
  profileDir?: string,
): Worker {
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child: ChildProcess = fork(file, [], {
    env: { PATH: process.env.PATH ?? '', ...env },
    // Not the parent's tsx loader: the worker and the bundles are plain JavaScript.
    execArgv: ['--expose-gc', ...profile],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let logBytes = 0;
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    logBytes += chunk.length;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const send = async (command: WorkerCommand): Promise<Answer> => {
    if (exited) throw new Error(`the handler process has exited\n${stderr}`);
    const reply = new Promise<WorkerReply>((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the handler process exited (${code}) during ${command.kind}\n${stderr}`));
      child.once('exit', onExit);
      child.once('message', (message: WorkerReply) => {
        child.off('exit', onExit);
        resolve(message);
      });
    });
    child.send(command);
    const answer = await reply;
    if (!answer.ok)
      throw new Error(`${command.kind} failed in the handler process: ${answer.error}`);
    return answer;
  };
  const expect = async <K extends Answer['kind']>(command: WorkerCommand, kind: K) => {
    const reply = await send(command);
    if (reply.kind !== kind) throw new Error(`unexpected reply to ${command.kind}`);
    return reply as Extract<Answer, { kind: K }>;
  };

  return {
    load: async (modules) => (await expect({ kind: 'load', modules }, 'loaded')).ms,
    call: async (module, event, options) =>
      (await expect({ kind: 'call', module, event, options }, 'called')).result,
    idle: () => expect({ kind: 'idle' }, 'idle'),
    peak: () => expect({ kind: 'peak' }, 'peak'),
    takeLogBytes: () => {
      const bytes = logBytes;
      logBytes = 0;
      return bytes;
    },
    stop: async () => {
      if (exited) return;
      const gone = once(child, 'exit');
      child.send({ kind: 'exit' } satisfies WorkerCommand);
      await gone;
    },
  };
}
