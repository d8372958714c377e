/**
 * A timer armed again and again without a new one each time: with the same duration it is
 * refreshed (Node moves it to the end of its list for that duration), and a stopped one that
 * still fires finds nothing to do. For the per-request timers of kept connections.
 */
export class Countdown {
  private timer: NodeJS.Timeout | undefined;
  private ms = 0;
  private armed = false;

  constructor(private readonly expired: () => void) {}

  /** Fires `expired` in `ms` unless stopped or started again before. */
  start(ms: number): void {
    this.armed = true;
    if (this.timer && this.ms === ms) return void this.timer.refresh();
    if (this.timer) clearTimeout(this.timer);
    this.ms = ms;
    this.timer = setTimeout(() => {
      if (!this.armed) return;
      this.armed = false;
      this.expired();
    }, ms).unref();
  }

  stop(): void {
    this.armed = false;
  }

  /** Stops it for good, its timer removed. */
  dispose(): void {
    this.armed = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
