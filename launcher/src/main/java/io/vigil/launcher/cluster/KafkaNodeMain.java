package io.vigil.launcher.cluster;

import io.vigil.launcher.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * One Kafka node (broker and KRaft controller) of {@code ./vigil cluster}, as its own process:
 * {@code NODE_ID DATA_DIR BROKER_PORT CONTROLLER_PORT VOTERS CLUSTER_ID REPLICATION [SECURITY_FILE]}, the last a
 * {@link io.vigil.launcher.embedded.BrokerSecurity} file for SASL/SCRAM over TLS. Stops cleanly on SIGTERM.
 * It listens on 127.0.0.1 unless the system property {@code vigil.kafka.listen-host} says otherwise (0.0.0.0 in a
 * container, whose name then goes in {@code vigil.kafka.advertised-host}: what clients are told to connect to).
 */
public final class KafkaNodeMain {

    private KafkaNodeMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 7 && args.length != 8) {
            System.err.println("usage: KafkaNodeMain NODE_ID DATA_DIR BROKER_PORT CONTROLLER_PORT VOTERS CLUSTER_ID "
                    + "REPLICATION [SECURITY_FILE]");
            System.exit(2);
        }
        String listenHost = System.getProperty("vigil.kafka.listen-host", "127.0.0.1");
        String advertisedHost = System.getProperty("vigil.kafka.advertised-host", listenHost);
        EmbeddedKafka node = EmbeddedKafka.startNode(Path.of(args[1]), Integer.parseInt(args[0]), listenHost,
                advertisedHost, Integer.parseInt(args[2]), Integer.parseInt(args[3]), args[4], args[5], Integer.parseInt(args[6]),
                args.length == 8 ? io.vigil.launcher.embedded.BrokerSecurity.load(Path.of(args[7])) : null);
        String metricsAddress = System.getProperty("vigil.kafka.metrics-address", "");
        if (!metricsAddress.isBlank()) {
            io.vigil.model.metrics.MetricsServer metrics = io.vigil.model.metrics.MetricsServer.start(metricsAddress,
                    io.vigil.launcher.metrics.KafkaNodeMetrics::scrape);
            Runtime.getRuntime().addShutdownHook(new Thread(metrics::close, "kafka-node-metrics-shutdown"));
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "kafka-node-shutdown"));
        System.out.println("Kafka node " + args[0] + " listening on " + listenHost + ":" + args[2] + ", advertised as "
                + advertisedHost + ":" + args[2]);
        stopped.await();
    }
}
