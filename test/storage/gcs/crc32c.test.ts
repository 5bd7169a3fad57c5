import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CRC32C } from '@google-cloud/storage';
import { NativeCrc32c } from '../../../src/storage/gcs/crc32c.js';

test('NativeCrc32c agrees with the SDK CRC32C over data fed in pieces, in every form validate() takes', () => {
  for (const sizes of [[0], [1], [5, 0, 4096], [65536, 3, 1 << 20]]) {
    const ours = new NativeCrc32c();
    const sdk = new CRC32C();
    for (const size of sizes) {
      const piece = randomBytes(size);
      ours.update(piece);
      sdk.update(piece);
    }
    assert.equal(ours.toString(), sdk.toString(), `sizes ${sizes.join(',')}`);
    assert.ok(ours.validate(sdk.toString()));
    assert.ok(ours.validate(sdk.valueOf()));
    assert.ok(ours.validate(sdk.toBuffer()));
    assert.ok(ours.validate(sdk));
    assert.equal(ours.validate('AAAAAA=='), sdk.toString() === 'AAAAAA==');
  }
  // The well-known check value of CRC32C ("123456789" → 0xE3069283).
  const check = new NativeCrc32c();
  check.update(Buffer.from('123456789'));
  assert.equal(check.toBuffer().toString('hex'), 'e3069283');
});
