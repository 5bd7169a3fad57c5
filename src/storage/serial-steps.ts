// The order keeper of streamed writers: steps (write a chunk, upload a part, finish) run one
// after another in call order, even when callers do not await each one, and the first failure
// is sticky: every later step fails with it, so a writer never finishes an object with a hole.
export class SerialSteps {
  #tail: Promise<void> = Promise.resolve();
  #failure: unknown;

  /** The first failure, if any step (or fail()) recorded one. */
  get failure(): unknown {
    return this.#failure;
  }

  /** Record a failure seen outside a step (a stream's error event, an abort). */
  fail(err: unknown): void {
    this.#failure ??= err;
  }

  /** Run `step` after every step before it; rejects with the first failure instead when there is one. */
  run(step: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(() => {
      if (this.#failure !== undefined) throw this.#failure;
      return step();
    });
    this.#tail = run.catch((err: unknown) => this.fail(err));
    return run;
  }

  /** Resolves once every step so far has settled; never rejects. */
  settled(): Promise<void> {
    return this.#tail;
  }
}
