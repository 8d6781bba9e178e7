package io.vigil.launcher.metrics;

import io.vigil.model.metrics.JvmMetrics;
import io.vigil.model.metrics.PrometheusText;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A Kafka node's health for Prometheus, read from the broker's own JMX beans in this process (Kafka registers them
 * by default): messages and bytes in and out, failed requests, partitions under-replicated or below
 * {@code min.insync.replicas}, offline partitions and whether this node is the active controller. A bean Kafka
 * has not registered (yet) is left out.
 */
public final class KafkaNodeMetrics {

    private KafkaNodeMetrics() {}

    public static PrometheusText scrape() {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        PrometheusText m = new PrometheusText();
        counter(m, jmx, "kafka.server:type=BrokerTopicMetrics,name=MessagesInPerSec", "vigil_kafka_messages_in_total",
                "Records appended to this node's partitions (as leader).");
        counter(m, jmx, "kafka.server:type=BrokerTopicMetrics,name=BytesInPerSec", "vigil_kafka_bytes_in_total",
                "Bytes received from clients.");
        counter(m, jmx, "kafka.server:type=BrokerTopicMetrics,name=BytesOutPerSec", "vigil_kafka_bytes_out_total",
                "Bytes sent to clients.");
        counter(m, jmx, "kafka.server:type=BrokerTopicMetrics,name=FailedProduceRequestsPerSec",
                "vigil_kafka_failed_produce_requests_total", "Produce requests this node failed.");
        counter(m, jmx, "kafka.server:type=BrokerTopicMetrics,name=FailedFetchRequestsPerSec",
                "vigil_kafka_failed_fetch_requests_total", "Fetch requests this node failed.");
        gauge(m, jmx, "kafka.server:type=ReplicaManager,name=PartitionCount", "vigil_kafka_partitions",
                "Partitions with a replica on this node.");
        gauge(m, jmx, "kafka.server:type=ReplicaManager,name=LeaderCount", "vigil_kafka_leader_partitions",
                "Partitions this node leads.");
        gauge(m, jmx, "kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions",
                "vigil_kafka_under_replicated_partitions", "Partitions this node leads with a replica behind.");
        gauge(m, jmx, "kafka.server:type=ReplicaManager,name=UnderMinIsrPartitionCount",
                "vigil_kafka_under_min_isr_partitions",
                "Partitions this node leads with fewer in-sync replicas than min.insync.replicas (writes refused).");
        gauge(m, jmx, "kafka.controller:type=KafkaController,name=ActiveControllerCount",
                "vigil_kafka_active_controller", "1 on the KRaft quorum's active controller.");
        gauge(m, jmx, "kafka.controller:type=KafkaController,name=OfflinePartitionsCount",
                "vigil_kafka_offline_partitions", "Partitions without a leader (on the active controller).");
        return JvmMetrics.addTo(m);
    }

    private static void counter(PrometheusText m, MBeanServer jmx, String bean, String name, String help) {
        Object v = read(jmx, bean, "Count");
        if (v instanceof Number n) m.counter(name, help, n.doubleValue());
    }

    private static void gauge(PrometheusText m, MBeanServer jmx, String bean, String name, String help) {
        Object v = read(jmx, bean, "Value");
        if (v instanceof Number n) m.gauge(name, help, n.doubleValue());
    }

    private static Object read(MBeanServer jmx, String bean, String attribute) {
        try {
            return jmx.getAttribute(new ObjectName(bean), attribute);
        } catch (Exception notRegistered) {
            return null;
        }
    }
}
