import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { Readable } from 'node:stream';

/** Grace period between SIGTERM and SIGKILL when stopping a child. */
export const STOP_GRACE_MS = 10_000;

const RECENT_LINES = 60;

const SUPERVISOR = path.join(__dirname, 'supervise.cjs');

/** What to run for one child process. */
export interface ChildSpec {
  /** Short name, used as the output prefix and in error messages (`temporal`, `api`, …). */
  name: string;
  command: string;
  args: readonly string[];
  /** The complete environment of the child (not merged with the parent's here). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Where children's output goes: prefixed lines on our stdout, or one log file per child. */
export type OutputMode = { kind: 'console' } | { kind: 'files'; dir: string };

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const COLORS = [36, 35, 33, 32, 34, 31];

/**
 * One child process started in its own process group, so that it (and anything
 * it forks) can be stopped as a unit and a Ctrl-C in the terminal reaches only
 * us: we stop the children in order. A small supervisor (supervise.cjs) sits
 * between us and the command and kills the group if we die without stopping it,
 * which covers hosts whose signal and exit handlers we cannot rely on (Jest).
 */
export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the child has exited, however it ended. */
  readonly exited: Promise<ChildExit>;
  private exit: ChildExit | undefined;
  private stopRequested = false;
  private readonly recent: string[] = [];

  constructor(
    spec: ChildSpec,
    output: OutputMode,
    colorIndex: number,
    private readonly onExit: (child: ManagedProcess, exit: ChildExit, expected: boolean) => void,
  ) {
    this.name = spec.name;
    // Through supervise.cjs, which kills the child when we die; its stdin is the lifeline.
    const child: ChildProcess = spawn(process.execPath, [SUPERVISOR, spec.command, ...spec.args], {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdin?.on('error', () => undefined); // the supervisor is gone; nothing to tell it
    // spawn reports a missing executable asynchronously through 'error'; pid is then undefined.
    this.pid = child.pid ?? -1;
    const sink = this.makeSink(output, colorIndex);
    this.exited = new Promise<ChildExit>((resolve) => {
      let spawnError: Error | undefined;
      const finish = (exit: ChildExit) => {
        if (this.exit) return;
        this.exit = exit;
        sink.close(spawnError ? `failed to start: ${spawnError.message}` : `exited (${this.describeExit()})`);
        this.onExit(this, exit, this.stopRequested);
        resolve(exit);
      };
      child.once('error', (error) => {
        spawnError = error;
        this.remember(`failed to start ${spec.command}: ${error.message}`);
        if (child.pid === undefined) finish({ code: 127, signal: null });
      });
      // Anything the leader forked and left behind would keep our pipes open: end it.
      child.once('exit', () => this.killGroup('SIGKILL'));
      child.once('close', (code, signal) => finish({ code, signal }));
    });
    if (child.stdout) this.pipe(child.stdout, sink.write);
    if (child.stderr) this.pipe(child.stderr, sink.write);
  }

  /** False once the child has exited. */
  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last lines the child printed, for error messages. */
  recentOutput(): string {
    return this.recent.join('\n');
  }

  /** `code 1`, `signal SIGKILL` or `running`. */
  describeExit(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `signal ${this.exit.signal}` : `code ${String(this.exit.code)}`;
  }

  /** SIGTERM, then SIGKILL to its whole process group after `graceMs`; resolves once it has exited. */
  async stop(graceMs = STOP_GRACE_MS): Promise<ChildExit> {
    this.stopRequested = true;
    if (this.exit) return this.exit;
    // Only the leader gets SIGTERM: wrappers such as tsx relay it to their child,
    // and a second copy would turn a graceful shutdown into a forced one.
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Immediate SIGKILL of the whole group; safe to call from a process 'exit' handler. */
  killNow(): void {
    this.stopRequested = true;
    if (this.exit) return;
    this.killGroup('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.pid <= 0) return;
    try {
      process.kill(this.pid, signal);
    } catch {
      // already gone
    }
  }

  private killGroup(signal: NodeJS.Signals): void {
    if (this.pid <= 0) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // group already gone
    }
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
  }

  private pipe(stream: Readable, write: (line: string) => void): void {
    const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      this.remember(line);
      write(line);
    });
  }

  private makeSink(output: OutputMode, colorIndex: number): { write: (line: string) => void; close: (last: string) => void } {
    if (output.kind === 'files') {
      fs.mkdirSync(output.dir, { recursive: true });
      const file = fs.createWriteStream(path.join(output.dir, `${this.name}.log`), { flags: 'a' });
      return {
        write: (line) => file.write(`${line}\n`),
        close: (last) => file.end(`--- ${last}\n`),
      };
    }
    const label = process.stdout.isTTY ? `\x1b[${COLORS[colorIndex % COLORS.length]}m[${this.name}]\x1b[0m` : `[${this.name}]`;
    return {
      write: (line) => process.stdout.write(`${label} ${line}\n`),
      close: (last) => process.stdout.write(`${label} ${last}\n`),
    };
  }
}

/** Listener told when a child exits without having been asked to stop. */
export type UnexpectedExitListener = (child: ManagedProcess, exit: ChildExit) => void;

/**
 * The children of one stack. Stops them in reverse start order, reports a child
 * that dies on its own, and kills whatever is left if this process exits abruptly.
 */
export class ProcessGroup {
  private readonly children: ManagedProcess[] = [];
  private readonly listeners: UnexpectedExitListener[] = [];
  private stopping = false;
  private readonly killAllOnExit = () => {
    for (const child of this.children) child.killNow();
  };

  constructor(private readonly output: OutputMode = { kind: 'console' }) {
    process.once('exit', this.killAllOnExit);
  }

  /** Starts a child; its output goes where this group's output mode says. */
  spawn(spec: ChildSpec): ManagedProcess {
    if (this.stopping) throw new Error(`cannot start ${spec.name}: the stack is stopping`);
    const child = new ManagedProcess(spec, this.output, this.children.length, (c, exit, expected) => {
      if (!expected && !this.stopping) for (const listener of this.listeners) listener(c, exit);
    });
    this.children.push(child);
    return child;
  }

  /** Registers a listener for a child that exits without being asked to. */
  onUnexpectedExit(listener: UnexpectedExitListener): void {
    this.listeners.push(listener);
  }

  /** The children started so far, in start order. */
  list(): readonly ManagedProcess[] {
    return this.children;
  }

  /** True once stopAll() has been called. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Stops every child, last started first (API before worker before servers). */
  async stopAll(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping = true;
    for (const child of [...this.children].reverse()) {
      await child.stop(graceMs);
    }
    process.removeListener('exit', this.killAllOnExit);
  }
}
