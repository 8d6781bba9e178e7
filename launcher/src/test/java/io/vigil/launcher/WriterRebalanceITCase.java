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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Two writers in one consumer group on a real broker and PostgreSQL, while batches are in flight on the writers'
 * database threads: a second writer joins mid-stream (partitions move away from the first), then the first leaves
 * (they move back). Every sample is stored exactly once: a batch in flight at a rebalance commits with its offsets
 * before its partitions are repositioned from the database, or is dropped and read again.
 */
class WriterRebalanceITCase {

    static final long BASE = System.currentTimeMillis() / 1000 * 1000 - 3_000_000;
    static final int SECONDS = 2500;
    static final int GPUS = 16;

    @Test
    void writersJoiningAndLeavingMidStreamNeitherRepeatNorLoseARow() throws Exception {
        Path data = Path.of("target", "rebalance-" + UUID.randomUUID()).toAbsolutePath();
        Topics topics = Topics.defaults();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), 0);
             EmbeddedDatabase db = EmbeddedDatabase.start(data.resolve("pg"), 0)) {
            EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 4);
            String url = db.jdbcUrl();
            SchemaMigrator.migrate(url, "vigil", "vigil");
            try (KafkaTelemetryPublisher publisher = new KafkaTelemetryPublisher(kafka.bootstrapServers(), topics,
                    Map.of())) {
                for (int s = 0; s < SECONDS; s++) {
                    for (int g = 0; g < GPUS; g++) {
                        publisher.publish(GpuSamples.healthy("h" + g / 8, g % 8, BASE + s * 1000L).build());
                    }
                }
                publisher.flush();
            }
            long total = (long) SECONDS * GPUS;
            // Small batches, so that batches are in flight whenever the group rebalances.
            WriterConfig config = new WriterConfig(kafka.bootstrapServers(), topics, "rebalance-test", url, "vigil",
                    "vigil", 500, Duration.ofMillis(50), Duration.ofSeconds(1));
            TelemetryWriter first = new TelemetryWriter(config, Clock.systemUTC());
            TelemetryWriter second = new TelemetryWriter(config, Clock.systemUTC());
            Thread a = new Thread(first, "writer-a");
            Thread b = new Thread(second, "writer-b");
            a.start();
            try {
                await().atMost(Duration.ofMinutes(1)).until(() -> count(url) >= total / 5);
                b.start();
                await().atMost(Duration.ofMinutes(1)).until(() -> second.recordsWritten() > 0);
                long whenFirstLeft = count(url);
                first.close();
                a.join(30_000);
                assertThat(whenFirstLeft).isLessThan(total); // the first left with work still to do
                await().atMost(Duration.ofMinutes(2)).until(() -> count(url) >= total
                        && first.recordsWritten() + second.recordsWritten() >= total);
                assertThat(count(url)).isEqualTo(total);
                assertThat(WriterExactlyOnceITCase.count(url, "SELECT count(DISTINCT (host, gpu, ts)) FROM gpu_sample"))
                        .isEqualTo(total);
                assertThat(first.recordsWritten() + second.recordsWritten()).isEqualTo(total);
            } finally {
                first.close();
                second.close();
                a.join(30_000);
                b.join(30_000);
            }
        }
    }

    private static long count(String url) {
        return WriterExactlyOnceITCase.count(url, "SELECT count(*) FROM gpu_sample");
    }
}
