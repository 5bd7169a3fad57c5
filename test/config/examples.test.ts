import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';

// Compiled to dist/test/config/, so the repository root is three levels up.
const examplesDir = fileURLToPath(new URL('../../../config-examples/', import.meta.url));

/** Variables the examples reference without a default. */
const env = {
  KAFKA_PASSWORD: 'example-password',
  AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example-secret',
  KMS_KEY_ARN: 'arn:aws:kms:eu-west-1:111122223333:key/example',
  AZURE_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=a2V5;EndpointSuffix=core.windows.net',
};

describe('config-examples/', async () => {
  const files = (await readdir(examplesDir)).filter((f) => /\.ya?ml$/.test(f)).sort();

  test('holds the documented examples', () => {
    for (const name of ['minimal.yaml', 'backup-filesystem.yaml', 'backup-continuous.yaml', 'restore-filesystem.yaml', 'backup-sasl-scram.yaml']) {
      assert.ok(files.includes(name), `missing ${name}`);
    }
  });

  for (const file of files) {
    test(`${file} is a valid config`, async () => {
      const config = await loadConfig(join(examplesDir, file), { env });
      assert.match(config.backup_id, /^[A-Za-z0-9]/);
      assert.ok(config.source !== undefined || config.target !== undefined, 'names a cluster');
      if (config.mode === 'backup') assert.ok(config.source);
      if (config.mode === 'restore') assert.ok(config.target);
    });
  }
});
