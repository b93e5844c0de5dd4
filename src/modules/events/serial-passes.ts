/**
 * A pass of work that never overlaps itself: request() starts one now, or, while one runs, one more right
 * after it (any number of requests meanwhile collapse into that one). A failed pass is handed to
 * onError and ends the run; the next request starts afresh. The publisher and the subscription feed
 * both work this way: they read what is new, so one more pass covers every request made during the last.
 */
export class SerialPasses {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
    /** Checked before each further pass: false (stopped) ends the run. */
    private readonly goOn: () => boolean = () => true,
  ) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && this.goOn());
      } catch (err) {
        this.onError(err);
      } finally {
        this.running = null;
      }
    })();
  }

  /** Resolves when no pass runs (after the one under way, if any). */
  async settled(): Promise<void> {
    await this.running;
  }
}
