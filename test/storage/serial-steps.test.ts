import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialSteps } from '../../src/storage/serial-steps.js';

test('steps run in call order, one at a time, even when not awaited', async () => {
  const steps = new SerialSteps();
  const log: string[] = [];
  let running = 0;
  const step = (name: string, ms: number) => async () => {
    running++;
    assert.equal(running, 1);
    await new Promise((r) => setTimeout(r, ms));
    log.push(name);
    running--;
  };
  await Promise.all([steps.run(step('a', 20)), steps.run(step('b', 1)), steps.run(step('c', 5))]);
  assert.deepEqual(log, ['a', 'b', 'c']);
});

test('the first failure is sticky: later steps do not run and fail with it', async () => {
  const steps = new SerialSteps();
  const boom = new Error('boom');
  let ran = false;
  await assert.rejects(steps.run(async () => Promise.reject(boom)), /boom/);
  await assert.rejects(steps.run(async () => void (ran = true)), /boom/);
  assert.equal(ran, false);
  assert.equal(steps.failure, boom);
  await steps.settled(); // never rejects
});

test('a failure recorded from outside fails the next step', async () => {
  const steps = new SerialSteps();
  steps.fail(new Error('stream error'));
  await assert.rejects(steps.run(async () => undefined), /stream error/);
});
