// Metadata v8 with authorized operations (KIP-430), for the restore's permission preflight. kafkajs
// 2.2.4 asks for metadata at lower versions and never for authorized operations. v8 is the last
// version whose request carries include_cluster_authorized_operations (v11 dropped it for
// DescribeCluster), and the last non-flexible one, so one request answers for the cluster and the
// topics in the plain encoding wire/writer.ts writes. Kafka 2.3 through 4.x serve v8.
//
// Metadata Request (Version: 8) => [topics] allow_auto_topic_creation
//   include_cluster_authorized_operations include_topic_authorized_operations
//   topics => name
// Metadata Response (Version: 8) => throttle_time_ms [brokers] cluster_id controller_id [topics]
//   cluster_authorized_operations
//   brokers => node_id host port rack
//   topics => error_code name is_internal [partitions] topic_authorized_operations
//     partitions => error_code partition_index leader_id leader_epoch [replica_nodes] [isr_nodes]
//       [offline_replicas]
import type { ClusterOperations } from '../transport.js';
import { Reader } from './reader.js';
import { Writer, type WireRequest } from './writer.js';

export const METADATA_API_KEY = 3;
export const METADATA_AUTHORIZED_OPS_VERSION = 8;

/** Metadata for the named topics (never all topics, never auto-created), with authorized operations. */
export function metadataOperationsRequest(topics: string[]): WireRequest {
  const body = new Writer()
    .array(topics, (w, name) => w.string(name))
    .int8(0) // allow_auto_topic_creation: a check must not create anything
    .int8(1) // include_cluster_authorized_operations
    .int8(1); // include_topic_authorized_operations
  return { apiKey: METADATA_API_KEY, apiVersion: METADATA_AUTHORIZED_OPS_VERSION, apiName: 'Metadata', body: body.buffer };
}

export function readMetadataOperationsResponse(payload: Buffer): ClusterOperations {
  const r = new Reader(payload);
  r.int32(); // throttle_time_ms
  r.array((b) => {
    b.int32(); // node_id
    b.string(); // host
    b.int32(); // port
    b.string(); // rack
  });
  r.string(); // cluster_id
  r.int32(); // controller_id
  const topics = r.array((t) => {
    const errorCode = t.int16();
    const name = t.string() ?? '';
    t.int8(); // is_internal
    t.array((p) => {
      p.int16(); // error_code
      p.int32(); // partition_index
      p.int32(); // leader_id
      p.int32(); // leader_epoch
      p.array((x) => x.int32()); // replica_nodes
      p.array((x) => x.int32()); // isr_nodes
      p.array((x) => x.int32()); // offline_replicas
    });
    return { name, errorCode, authorizedOperations: t.int32() };
  });
  return { clusterAuthorizedOperations: r.int32(), topics };
}
