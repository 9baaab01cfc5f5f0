/** Timers the sandbox owns: unref'd (they never keep the process alive) and cancelled together on reset or close. */
export class TimerSet {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  /** True once close() ran; nothing is scheduled after that. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs `fn` after `ms`, unless cancelled first. */
  after(ms: number, fn: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.pending.set(timer, () => undefined);
  }

  /** Resolves after `ms`, or at once when the timers are cancelled (so a waiting request is never left hanging). */
  sleep(ms: number): Promise<void> {
    if (this.closed || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      timer.unref();
      this.pending.set(timer, resolve);
    });
  }

  /** Cancels every pending timer (used by reset). */
  cancelAll(): void {
    for (const [timer, onCancel] of this.pending) {
      clearTimeout(timer);
      onCancel();
    }
    this.pending.clear();
  }

  /** Cancels everything and refuses new timers. */
  close(): void {
    this.cancelAll();
    this.closed = true;
  }
}
