// The target broker's own configs (DescribeConfigs of a BROKER resource): where the defaults of a
// topic the restore creates come from, for the topic configs it does not set itself.
import type { KafkaConnection } from './connection.js';
import { translateKafkaError } from './errors.js';
import { configEntryOf, configSource, type ConfigEntry } from './topic-configs.js';

const BROKER_RESOURCE = 4; // ConfigResource.Type.BROKER

/**
 * Every config of one broker of the cluster (the one with the lowest id), with its value. Brokers
 * of a cluster normally share their log.* defaults; a topic created on the cluster gets them.
 */
export async function describeBrokerConfigs(conn: KafkaConnection): Promise<ConfigEntry[]> {
  const where = conn.settings.bootstrapServers.join(',');
  try {
    const { brokers } = await conn.admin.describeCluster();
    const id = Math.min(...brokers.map((b) => b.nodeId));
    if (!Number.isFinite(id)) return [];
    const res = await conn.admin.describeConfigs({ includeSynonyms: false, resources: [{ type: BROKER_RESOURCE, name: String(id) }] });
    return (res.resources[0]?.configEntries ?? []).map((e) => configEntryOf(e, configSource.staticBroker));
  } catch (err) {
    throw translateKafkaError(err, `describing the broker configs of ${where}`);
  }
}
