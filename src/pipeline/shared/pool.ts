// Runs tasks with at most `limit` at a time. The first failure stops new tasks from starting and
// is rethrown once the running ones have settled, so no task is abandoned mid-write.

export async function runPool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await task(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.err;
}

/**
 * Like runPool, but a task may ask to run again (continuous backup): 'again' queues it at the back
 * at once, 'idle' queues it after `idleDelayMs` without holding a slot meanwhile, so more tasks
 * than slots all get turns. Returns when every task said 'done', or after the first failure once
 * running turns have settled.
 */
export async function runTurns<T>(
  items: readonly T[],
  limit: number,
  turn: (item: T) => Promise<'again' | 'idle' | 'done'>,
  idleDelayMs = 0,
): Promise<void> {
  const queue = [...items];
  let failure: { err: unknown } | undefined;
  let active = 0;
  let sleeping = 0;
  await new Promise<void>((resolve) => {
    const settleIfIdle = () => {
      if (active === 0 && (failure || (queue.length === 0 && sleeping === 0))) resolve();
    };
    const pump = () => {
      while (failure === undefined && active < limit && queue.length > 0) {
        const item = queue.shift()!;
        active++;
        turn(item)
          .then(
            (r) => {
              if (r === 'again') queue.push(item);
              else if (r === 'idle') {
                sleeping++;
                setTimeout(() => {
                  sleeping--;
                  queue.push(item);
                  pump();
                  settleIfIdle();
                }, idleDelayMs);
              }
            },
            (err) => {
              failure ??= { err };
            },
          )
          .finally(() => {
            active--;
            pump();
            settleIfIdle();
          });
      }
      settleIfIdle();
    };
    pump();
  });
  if (failure) throw failure.err;
}
