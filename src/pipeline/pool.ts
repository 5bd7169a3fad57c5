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
 * Like runPool, but a task may ask to run again later (continuous backup: a partition that caught
 * up yields its slot so other partitions get a turn). Returns when no task asks again.
 */
export async function runTurns<T>(items: readonly T[], limit: number, turn: (item: T) => Promise<'again' | 'done'>): Promise<void> {
  const queue = [...items];
  let failure: { err: unknown } | undefined;
  let active = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (failure === undefined && active < limit && queue.length > 0) {
        const item = queue.shift()!;
        active++;
        turn(item).then(
          (r) => {
            if (r === 'again') queue.push(item);
          },
          (err) => {
            failure ??= { err };
          },
        ).finally(() => {
          active--;
          if (active === 0 && (queue.length === 0 || failure)) resolve();
          else pump();
        });
      }
      if (active === 0) resolve();
    };
    pump();
  });
  if (failure) throw failure.err;
}
