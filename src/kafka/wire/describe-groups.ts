// DescribeGroups v3 with authorized operations (KIP-430): what the principal may do with each
// consumer group. kafkajs 2.2.4 describes groups at v2, without them. v3 and v4 are the
// non-flexible versions that carry the field; v3 because its members lack only group_instance_id,
// which this check does not need. Send it to the groups' coordinator.
//
// DescribeGroups Request (Version: 3) => [groups] include_authorized_operations
// DescribeGroups Response (Version: 3) => throttle_time_ms [groups]
//   groups => error_code group_id group_state protocol_type protocol_data [members]
//     authorized_operations
//     members => member_id client_id client_host member_metadata member_assignment
import type { GroupOperations } from '../transport.js';
import { Reader } from './reader.js';
import { Writer, type WireRequest } from './writer.js';

export const DESCRIBE_GROUPS_API_KEY = 15;
export const DESCRIBE_GROUPS_AUTHORIZED_OPS_VERSION = 3;

export function describeGroupsOperationsRequest(groupIds: string[]): WireRequest {
  const body = new Writer()
    .array(groupIds, (w, id) => w.string(id))
    .int8(1); // include_authorized_operations
  return { apiKey: DESCRIBE_GROUPS_API_KEY, apiVersion: DESCRIBE_GROUPS_AUTHORIZED_OPS_VERSION, apiName: 'DescribeGroups', body: body.buffer };
}

export function readDescribeGroupsOperationsResponse(payload: Buffer): { groups: GroupOperations[] } {
  const r = new Reader(payload);
  r.int32(); // throttle_time_ms
  const groups = r.array((g) => {
    const errorCode = g.int16();
    const groupId = g.string() ?? '';
    g.string(); // group_state
    g.string(); // protocol_type
    g.string(); // protocol_data
    g.array((m) => {
      m.string(); // member_id
      m.string(); // client_id
      m.string(); // client_host
      m.bytes(); // member_metadata
      m.bytes(); // member_assignment
    });
    return { groupId, errorCode, authorizedOperations: g.int32() };
  });
  return { groups };
}
