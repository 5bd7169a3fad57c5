// The target broker's own configs (DescribeConfigs of a BROKER resource): where the defaults of a
// topic the restore creates come from, for the topic configs it does not set itself.
import type { ConfigEntry, KafkaTransport } from './transport.js';

/**
 * Every config of one broker of the cluster (the one with the lowest id), with its value. Brokers
 * of a cluster normally share their log.* defaults; a topic created on the cluster gets them.
 */
export async function describeBrokerConfigs(transport: KafkaTransport): Promise<ConfigEntry[]> {
  const brokers = await transport.brokers();
  const id = Math.min(...brokers.map((b) => b.nodeId));
  if (!Number.isFinite(id)) return [];
  return (await transport.describeConfigs('broker', [String(id)])).get(String(id)) ?? [];
}
