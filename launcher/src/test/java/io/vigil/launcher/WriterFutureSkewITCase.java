package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.launcher.embedded.EmbeddedDatabase;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.RejectReason;
import io.vigil.model.Topics;
import io.vigil.storage.retention.RetentionConfig;
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
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code writer.max-future-skew} is the writer's, not a constant: with 1 minute, a sample 30 s ahead of the writer's
 * (injected) clock is stored and one 2 minutes ahead is refused as FUTURE_TIMESTAMP and counted.
 */
class WriterFutureSkewITCase {

    @Test
    void samplesFurtherAheadThanTheConfiguredSkewAreRefused() throws Exception {
        Path data = Path.of("target", "skew-" + UUID.randomUUID()).toAbsolutePath();
        Topics topics = Topics.defaults();
        // Recent, so the broker's retention keeps the records. The writer's clock starts there and ticks (it also
        // times the writer's flushes), so the margins below hold for the test's first 30 s.
        Instant now = Instant.ofEpochMilli(System.currentTimeMillis() / 1000 * 1000 - 600_000);
        int dbPort;
        try (ServerSocket s = new ServerSocket(0)) {
            dbPort = s.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), 0);
             EmbeddedDatabase db = EmbeddedDatabase.start(data.resolve("pg"), dbPort)) {
            EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 1);
            SchemaMigrator.migrate(db.jdbcUrl(), "vigil", "vigil");
            WriterConfig config = new WriterConfig(kafka.bootstrapServers(), topics, "skew-test", db.jdbcUrl(), "vigil",
                    "vigil", 1000, Duration.ofMillis(100), Duration.ofSeconds(1), RetentionConfig.defaults(),
                    Duration.ofSeconds(10), Duration.ofMinutes(1), io.vigil.model.config.KafkaSecurity.PLAINTEXT);
            TelemetryWriter writer = new TelemetryWriter(config,
                    Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), now)));
            Thread thread = new Thread(writer, "writer-under-test");
            thread.start();
            try (KafkaTelemetryPublisher publisher = new KafkaTelemetryPublisher(kafka.bootstrapServers(), topics, Map.of())) {
                publisher.publish(GpuSamples.healthy("h1", 0, now.minusSeconds(1).toEpochMilli()).build());
                publisher.publish(GpuSamples.healthy("h1", 0, now.plusSeconds(30).toEpochMilli()).build());
                publisher.publish(GpuSamples.healthy("h1", 0, now.plusSeconds(120).toEpochMilli()).build());
                publisher.flush();
                await().atMost(Duration.ofMinutes(1)).until(() -> writer.skipped(RejectReason.FUTURE_TIMESTAMP) == 1
                        && count(db.jdbcUrl()) == 2);
                assertThat(count(db.jdbcUrl())).isEqualTo(2);
                assertThat(writer.skipped(RejectReason.FUTURE_TIMESTAMP)).isEqualTo(1);
            } finally {
                writer.close();
                thread.join(30_000);
            }
        }
    }

    private static long count(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "vigil", "vigil");
             ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM gpu_sample")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
