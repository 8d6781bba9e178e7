package io.vigil.storage.writer;

import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.SettingSpecs.Range;
import io.vigil.model.config.Settings;
import io.vigil.storage.retention.RetentionConfig;
import io.vigil.storage.schema.SchemaMigrator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.LoggerFactory;

/** Runs the telemetry writer as its own process: migrates the schema, then writes until SIGTERM. */
public final class WriterMain {

    private WriterMain() {}

    /** The component's settings: each key with its default and description (README's configuration table). */
    public static SettingSpecs settings() {
        SettingSpecs s = new SettingSpecs().addAll(CommonSettings.kafkaSettings());
        s.addAll(CommonSettings.databaseSettings());
        s.add("writer.group-id", "vigil-storage",
                "Kafka consumer group of the writers");
        s.add("writer.max-batch-records", "20000", Range.integer(1, 1_000_000),
                "a batch is written (COPY) once this many records wait");
        s.add("writer.flush-interval", "500ms",
                "longest wait before a batch is written");
        s.add("writer.max-retry-backoff", "30s",
                "longest pause between retries while the database is down");
        s.add("writer.retention-raw", "P14D", Range.atLeast(Duration.ofDays(1)),
                "how long raw samples are kept");
        s.add("writer.retention-1m", "P90D",
                "how long per-minute rollups are kept");
        s.add("writer.retention-1h", "P1098D",
                "how long hourly rollups are kept");
        s.add("writer.partitions-ahead", "3", Range.integer(1, 60),
                "day partitions made ahead");
        s.add("writer.maintenance-interval", "1h", Range.atLeast(Duration.ofMinutes(1)),
                "how often retention runs");
        s.add("writer.rollup-refresh-interval", "10s", Range.duration(Duration.ofSeconds(1), Duration.ofMinutes(10)),
                "how often the rack and job rollups are derived for the minutes written since");
        s.add("writer.max-future-skew", "5m", Range.duration(Duration.ZERO, Duration.ofDays(1)),
                "samples stamped further ahead of the writer's clock are dead-lettered (`FUTURE_TIMESTAMP`); keep "
                        + "it equal to `detection.max-future-skew`");
        s.add("writer.metrics-address", "",
                "`HOST:PORT` of the writer's Prometheus `/metrics` (`docker-compose.yml`: `0.0.0.0:9251`); unset: "
                        + "none (`./vigil demo` serves it on `metrics.writer-port`)");
        return s;
    }

    /** Every key with its default; each can be overridden by a file or by {@code VIGIL_<KEY>}. */
    public static Map<String, String> defaults() {
        return settings().defaults();
    }

    public static WriterConfig config(Settings s) {
        return new WriterConfig(s.required("kafka.bootstrap"), CommonSettings.topics(s),
                s.required("writer.group-id"), s.required("db.url"), s.string("db.user"), s.string("db.password"),
                s.integer("writer.max-batch-records"), s.duration("writer.flush-interval"),
                s.duration("writer.max-retry-backoff"),
                new RetentionConfig(s.duration("writer.retention-raw"), s.duration("writer.retention-1m"),
                        s.duration("writer.retention-1h"), s.integer("writer.partitions-ahead"),
                        s.duration("writer.maintenance-interval")),
                s.duration("writer.rollup-refresh-interval"), s.duration("writer.max-future-skew"),
                io.vigil.model.config.KafkaSecurity.from(s));
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.load(settings(), args.length > 0 ? Path.of(args[0]) : null, System.getenv(), Map.of());
        WriterConfig config = config(settings);
        SchemaMigrator.migrate(config.jdbcUrl(), config.user(), config.password());
        TelemetryWriter writer = new TelemetryWriter(config, Clock.systemUTC());
        io.vigil.model.metrics.MetricsServer.fromSetting(settings, "writer.metrics-address", writer::metrics);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                writer.run();
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                done.countDown();
            }
        }, "vigil-writer");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            writer.close();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        thread.start();
        done.await();
        Throwable t = failure.get();
        if (t != null) {
            // A supervisor (./vigil cluster, Kubernetes) must see that the writer stopped on an error, not on request.
            LoggerFactory.getLogger(WriterMain.class).error("The writer stopped on an error", t);
            System.exit(1);
        }
    }
}
