package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.collectors.kafka.KafkaTelemetryPublisher;
import io.vigil.launcher.embedded.EmbeddedDatabase;
import io.vigil.launcher.embedded.EmbeddedKafka;
import io.vigil.model.DeadLetter;
import io.vigil.model.RejectReason;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.storage.writer.WriterMain;
import io.vigil.testsupport.GpuSamples;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The writer as its own process ({@link WriterMain}, as deployed) on a real broker and PostgreSQL, killed with
 * SIGKILL mid-stream and started again: every sample is stored exactly once — the rows and the offsets after them
 * commit in one transaction. Among the samples is one the database refuses (a NUL character in its host name): it
 * goes to the dead-letter topic with its reason and the writer goes on.
 */
class WriterExactlyOnceITCase {

    static final int SECONDS = 4000;
    static final int GPUS = 8;

    @Test
    void aWriterKilledMidStreamNeitherRepeatsNorLosesARowAndRefusedRecordsAreDeadLettered() throws Exception {
        Path data = Path.of("target", "writer-eo-" + UUID.randomUUID()).toAbsolutePath();
        Topics topics = Topics.defaults();
        int dbPort;
        try (ServerSocket s = new ServerSocket(0)) {
            dbPort = s.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(data.resolve("kafka"), 0);
             EmbeddedDatabase db = EmbeddedDatabase.start(data.resolve("pg"), dbPort)) {
            EmbeddedKafka.createTopics(kafka.bootstrapServers(), topics, 4);
            String url = db.jdbcUrl();
            SchemaMigrator.migrate(url, "vigil", "vigil");
            long base = System.currentTimeMillis() / 1000 * 1000 - SECONDS * 1000L;
            try (KafkaTelemetryPublisher publisher = new KafkaTelemetryPublisher(kafka.bootstrapServers(), topics, Map.of())) {
                for (int s = 0; s < SECONDS; s++) {
                    for (int g = 0; g < GPUS; g++) {
                        publisher.publish(GpuSamples.healthy("h1", g, base + s * 1000L).build());
                    }
                    if (s == SECONDS / 2) {
                        publisher.publish(GpuSamples.healthy("bad\u0000host", 0, base + s * 1000L).build());
                    }
                }
                publisher.flush();
            }
            long expected = (long) SECONDS * GPUS;

            Path config = data.resolve("writer.properties");
            Files.writeString(config, String.join("\n",
                    "kafka.bootstrap=" + kafka.bootstrapServers(),
                    "db.url=" + url,
                    "db.user=vigil",
                    "db.password=vigil",
                    "writer.max-batch-records=500",
                    "writer.flush-interval=50ms"));
            Process first = startWriter(config, data.resolve("writer-1.log"));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                    .until(() -> count(url, "SELECT count(*) FROM gpu_sample") > expected / 4);
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no last flush
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            long atKill = count(url, "SELECT count(*) FROM gpu_sample");
            assertThat(atKill).as("killed mid-stream").isBetween(1L, expected - 1);

            Process second = startWriter(config, data.resolve("writer-2.log"));
            try {
                await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                        .until(() -> count(url, "SELECT count(*) FROM gpu_sample") >= expected);
                Thread.sleep(2000); // anything repeated would arrive now
                assertThat(count(url, "SELECT count(*) FROM gpu_sample")).isEqualTo(expected);
                assertThat(count(url, "SELECT count(DISTINCT (origin_collector, origin_boot_ms, origin_seq, gpu)) "
                        + "FROM gpu_sample")).isEqualTo(expected);
                assertThat(count(url, "SELECT count(*) FROM gpu_sample WHERE host <> 'h1'")).isZero();
                // Where it stopped is in the database, beside the rows.
                assertThat(count(url, "SELECT sum(next_offset) FROM writer_offset WHERE topic = '" + topics.gpu() + "'"))
                        .isEqualTo(expected + 1);

                List<DeadLetter> letters = await().atMost(Duration.ofMinutes(1))
                        .until(() -> deadLetters(kafka.bootstrapServers(), topics), l -> !l.isEmpty());
                // At least once: a crash between sending it and the commit could send it twice, never zero times.
                assertThat(letters).allSatisfy(l -> {
                    assertThat(l.reason()).isEqualTo(RejectReason.DATABASE_REJECTED);
                    assertThat(l.detail()).containsIgnoringCase("0x00");
                    assertThat(l.sourceTopic()).isEqualTo(topics.gpu());
                    assertThat(l.payload()).contains("bad\\u0000host");
                });
                assertThat(letters).extracting(DeadLetter::sourceOffset).containsOnly(letters.get(0).sourceOffset());
            } finally {
                second.destroy();
                second.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    static Process startWriter(Path config, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), WriterMain.class.getName(), config.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static long count(String url, String sql) {
        try (Connection c = DriverManager.getConnection(url, "vigil", "vigil"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1;
        }
    }

    static List<DeadLetter> deadLetters(String bootstrap, Topics topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dl-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<DeadLetter> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topics.deadLetter()));
            for (int i = 0; i < 10; i++) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(300))) {
                    out.add(WireFormat.decodeDeadLetter(r.value()));
                }
            }
        }
        return out;
    }
}
