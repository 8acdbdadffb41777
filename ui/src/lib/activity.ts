// The person's own input (a key, a click, the wheel) is what keeps the idle lock
// away; what the window does on a timer never is. The Rust side is told at most
// once per interval, the first input at once.

export const ACTIVITY_EVERY_MS = 30_000;

export class ActivityReporter {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly send: () => Promise<unknown>,
    private readonly every = ACTIVITY_EVERY_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** An input happened: tell the Rust side unless it was told within the interval. */
  input(): void {
    const t = this.now();
    if (t - this.last < this.every) return;
    this.last = t;
    // Not heard (locked meanwhile, a passing error): the next input tries again.
    this.send().catch(() => this.reset());
  }

  /** A new session (login, unlock): its first input is told at once. */
  reset(): void {
    this.last = Number.NEGATIVE_INFINITY;
  }
}
