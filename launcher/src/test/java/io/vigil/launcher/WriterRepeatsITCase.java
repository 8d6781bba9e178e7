package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.launcher.embedded.EmbeddedDatabase;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.Origin;
import io.vigil.model.Topics;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryWriter;
import io.vigil.storage.writer.WriterConfig;
import io.vigil.testsupport.GpuSamples;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A collector killed while Kafka had taken a batch but not answered sends the batch again after its restart, from a
 * new producer (chaos R5 found 49 such records, stored twice). Kafka then holds those records twice; the writer
 * stores each once, and records of another collector with the same sequence numbers are not taken for repeats.
 */
class WriterRepeatsITCase {

    @Test
    void recordsKafkaHoldsTwiceAreStoredOnce() throws Exception {
        Path data = Path.of("target", "repeats-" + UUID.randomUUID()).toAbsolutePath();
        Topics topics = Topics.defaults();
        long t0 = System.currentTimeMillis() / 1000 * 1000 - 300_000;
        int dbPort;
        try (ServerSocket s = new ServerSocket(0)) {
            dbPort = s.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), 0);
             EmbeddedDatabase db = EmbeddedDatabase.start(data.resolve("pg"), dbPort)) {
            EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 2);
            SchemaMigrator.migrate(db.jdbcUrl(), "vigil", "vigil");
            TelemetryWriter writer = new TelemetryWriter(WriterConfig.of(kafka.bootstrapServers(), topics,
                    db.jdbcUrl(), "vigil", "vigil"), Clock.systemUTC());
            Thread thread = new Thread(writer, "writer-under-test");
            thread.start();
            try {
                // The first process of collector c: sequences 0..99 over two GPUs.
                try (KafkaTelemetryPublisher first = new KafkaTelemetryPublisher(kafka.bootstrapServers(), topics,
                        Map.of())) {
                    for (int seq = 0; seq < 100; seq++) first.publish(sample("c", seq, t0));
                    first.flush();
                }
                // Its successor replays 90..99 from the spool, then goes on; collector d uses the same numbers.
                try (KafkaTelemetryPublisher second = new KafkaTelemetryPublisher(kafka.bootstrapServers(), topics,
                        Map.of())) {
                    for (int seq = 90; seq < 120; seq++) second.publish(sample("c", seq, t0));
                    for (int seq = 0; seq < 20; seq++) second.publish(sample("d", seq, t0));
                    second.flush();
                }
                await().atMost(Duration.ofMinutes(1)).until(() -> count(db.jdbcUrl()) >= 140
                        && writer.repeatsSkipped() >= 10);
                Thread.sleep(1000); // anything more would show in the counts below
                assertThat(count(db.jdbcUrl())).isEqualTo(140);
                assertThat(distinctOrigins(db.jdbcUrl())).isEqualTo(140);
                assertThat(writer.repeatsSkipped()).isEqualTo(10);
            } finally {
                writer.close();
                thread.join(30_000);
            }
        }
    }

    static io.vigil.model.GpuSample sample(String collector, int seq, long t0) {
        return GpuSamples.healthy("h1", seq % 2, t0 + seq * 1000L).origin(new Origin(collector, 1L, seq)).build();
    }

    private static long count(String url) throws Exception {
        return query(url, "SELECT count(*) FROM gpu_sample");
    }

    private static long distinctOrigins(String url) throws Exception {
        return query(url, "SELECT count(DISTINCT (origin_collector, origin_boot_ms, origin_seq)) FROM gpu_sample");
    }

    private static long query(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "vigil", "vigil");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
