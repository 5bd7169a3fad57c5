// Storage sections for the object-store emulators test/run.sh starts (test/infra/stores.sh), each
// with a fresh bucket or container made through the store's own SDK, not through our backend.
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { Storage } from '@google-cloud/storage';
import { unique } from './env.js';

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests with \`npm test\` (test/run.sh starts the object stores)`);
  return v;
}

/** A storage config section (as YAML-ready JSON) for a fresh bucket or container. */
export async function freshStorage(backend: 's3' | 'azure' | 'gcs', prefix = 'kb'): Promise<Record<string, unknown>> {
  const name = unique('kb').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
  if (backend === 's3') {
    const endpoint = required('KB_TEST_S3_ENDPOINT');
    const credentials = { accessKeyId: required('KB_TEST_S3_ACCESS_KEY'), secretAccessKey: required('KB_TEST_S3_SECRET_KEY') };
    const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    s3.destroy();
    return {
      backend: 's3',
      bucket: name,
      endpoint,
      path_style: true,
      region: 'us-east-1',
      prefix,
      access_key_id: credentials.accessKeyId,
      secret_access_key: credentials.secretAccessKey,
      multipart_threshold: '5MiB',
      multipart_part_size: '5MiB',
    };
  }
  if (backend === 'gcs') {
    const endpoint = required('KB_TEST_GCS_ENDPOINT');
    await new Storage({ apiEndpoint: endpoint, projectId: 'test' }).createBucket(name);
    return { backend: 'gcs', bucket: name, endpoint, prefix, chunk_size: '256KiB' };
  }
  const connection = required('KB_TEST_AZURE_CONNECTION_STRING');
  await BlobServiceClient.fromConnectionString(connection).getContainerClient(name).create();
  return { backend: 'azure', container: name, prefix, connection_string: connection, block_size: '1MiB' };
}
