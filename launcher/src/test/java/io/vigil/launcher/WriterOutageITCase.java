package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.launcher.embedded.EmbeddedDatabase;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.Topics;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.TelemetryWriter;
import io.vigil.storage.writer.WriterConfig;
import io.vigil.testsupport.GpuSamples;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The writer against a real broker and a real PostgreSQL that goes away mid-run: it pauses, retries, and once the
 * database is back every sample is stored exactly once.
 */
class WriterOutageITCase {

    /**
     * Recent event times: the publisher stamps Kafka records with them, and the broker deletes records older than its
     * retention (6 h) at its first check, which would take a fixed date's records away mid-test.
     */
    static final long BASE = System.currentTimeMillis() / 1000 * 1000 - 600_000;

    @Test
    void aDatabaseOutagePausesTheWriterAndLosesNothing() throws Exception {
        Path data = Path.of("target", "outage-" + UUID.randomUUID()).toAbsolutePath();
        int dbPort = freePort();
        Topics topics = Topics.defaults();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), 0)) {
            EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 2);
            EmbeddedDatabase first = EmbeddedDatabase.start(data.resolve("pg"), dbPort);
            EmbeddedDatabase second = null;
            String url = first.jdbcUrl();
            SchemaMigrator.migrate(url, "vigil", "vigil");
            WriterConfig config = new WriterConfig(kafka.bootstrapServers(), topics, "outage-test", url,
                    "vigil", "vigil", 1000, Duration.ofMillis(100), Duration.ofSeconds(1));
            TelemetryWriter writer = new TelemetryWriter(config, Clock.systemUTC());
            Thread thread = new Thread(writer, "writer-under-test");
            thread.start();
            try (KafkaTelemetryPublisher publisher = new KafkaTelemetryPublisher(kafka.bootstrapServers(), topics, Map.of())) {
                publish(publisher, 0, 200);
                await().atMost(Duration.ofMinutes(1)).until(() -> count(url) == 200 * 8);

                first.close();
                publish(publisher, 200, 400);
                await().atMost(Duration.ofMinutes(1)).until(() -> !writer.databaseUp());
                long retriesDuringOutage = writer.retries();

                second = EmbeddedDatabase.start(data.resolve("pg"), dbPort);
                await().atMost(Duration.ofMinutes(1)).until(() -> count(url) == 400 * 8);
                assertThat(writer.databaseUp()).isTrue();
                assertThat(retriesDuringOutage).isPositive();
                assertThat(distinct(url)).isEqualTo(400 * 8);
            } finally {
                writer.close();
                thread.join(30_000);
                if (second != null) second.close();
            }
        }
    }

    private static void publish(KafkaTelemetryPublisher publisher, int fromSecond, int toSecond) {
        for (int s = fromSecond; s < toSecond; s++) {
            for (int g = 0; g < 8; g++) {
                publisher.publish(GpuSamples.healthy("h1", g, BASE + s * 1000L).build());
            }
        }
        publisher.flush();
    }

    private static long count(String url) {
        return query(url, "SELECT count(*) FROM gpu_sample");
    }

    private static long distinct(String url) {
        return query(url, "SELECT count(DISTINCT (ts, gpu)) FROM gpu_sample");
    }

    private static long query(String url, String sql) {
        return WriterExactlyOnceITCase.count(url, sql);
    }

    private static int freePort() throws IOException {
        return io.vigil.testsupport.FreePorts.free();
    }
}
