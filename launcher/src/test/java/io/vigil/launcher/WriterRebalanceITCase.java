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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two writers in one consumer group on a real broker and PostgreSQL, while batches are in flight on the writers'
 * database threads: a second writer joins mid-stream (partitions move away from the first), then the first leaves
 * (they move back). Every sample is stored exactly once: a batch in flight at a rebalance commits with its offsets
 * before its partitions are repositioned from the database, or is dropped and read again.
 */
class WriterRebalanceITCase {

    /** Two hours back: room for every second published (the writer refuses samples from the future), well within the
     * broker's retention. */
    static final long BASE = System.currentTimeMillis() / 1000 * 1000 - 7_200_000;
    static final int GPUS = 16;

    @Test
    void writersJoiningAndLeavingMidStreamNeitherRepeatNorLoseARow() throws Exception {
        Path data = Path.of("target", "rebalance-" + UUID.randomUUID()).toAbsolutePath();
        Topics topics = Topics.defaults();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), 0);
             EmbeddedDatabase db = EmbeddedDatabase.start(data.resolve("pg"), 0);
             KafkaTelemetryPublisher publisher = new KafkaTelemetryPublisher(kafka.bootstrapServers(), topics,
                     Map.of())) {
            EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 4);
            String url = db.jdbcUrl();
            SchemaMigrator.migrate(url, "vigil", "vigil");
            AtomicInteger published = new AtomicInteger(); // seconds of samples published so far
            // Small batches, so that batches are in flight whenever the group rebalances.
            WriterConfig config = new WriterConfig(kafka.bootstrapServers(), topics, "rebalance-test", url, "vigil",
                    "vigil", 500, Duration.ofMillis(50), Duration.ofSeconds(1));
            TelemetryWriter first = new TelemetryWriter(config, Clock.systemUTC());
            TelemetryWriter second = new TelemetryWriter(config, Clock.systemUTC());
            Thread a = new Thread(first, "writer-a");
            Thread b = new Thread(second, "writer-b");
            publish(publisher, published, 800);
            a.start();
            try {
                await().atMost(Duration.ofMinutes(1)).until(() -> count(url) >= 800L * GPUS);
                // The second joins while samples keep coming, so the first has batches in flight when partitions
                // move; it has joined once it has written some.
                b.start();
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
                    publish(publisher, published, 2);
                    return second.recordsWritten() > 0;
                });
                // The first leaves while samples keep coming; the second takes its partitions back.
                publish(publisher, published, 400);
                first.close();
                a.join(30_000);
                publish(publisher, published, 400);
                long total = (long) published.get() * GPUS;
                await().atMost(Duration.ofMinutes(2)).until(() -> count(url) >= total
                        && first.recordsWritten() + second.recordsWritten() >= total);
                assertThat(count(url)).isEqualTo(total);
                assertThat(WriterExactlyOnceITCase.count(url, "SELECT count(DISTINCT (host, gpu, ts)) FROM gpu_sample"))
                        .isEqualTo(total);
                assertThat(first.recordsWritten() + second.recordsWritten()).isEqualTo(total);
                assertThat(first.recordsWritten()).isPositive();
                assertThat(second.recordsWritten()).isPositive();
            } finally {
                first.close();
                second.close();
                a.join(30_000);
                if (b.getState() != Thread.State.NEW) b.join(30_000);
            }
        }
    }

    /** The next {@code seconds} seconds of samples for all GPUs. */
    private static void publish(KafkaTelemetryPublisher publisher, AtomicInteger published, int seconds) {
        int from = published.getAndAdd(seconds);
        for (int s = from; s < from + seconds; s++) {
            for (int g = 0; g < GPUS; g++) {
                publisher.publish(GpuSamples.healthy("h" + g / 8, g % 8, BASE + s * 1000L).build());
            }
        }
        publisher.flush();
    }

    private static long count(String url) {
        return WriterExactlyOnceITCase.count(url, "SELECT count(*) FROM gpu_sample");
    }
}
