package io.vigil.storage.writer;

import io.vigil.model.config.CommonSettings;
import io.vigil.model.config.Settings;
import io.vigil.storage.retention.RetentionConfig;
import io.vigil.storage.schema.SchemaMigrator;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** Runs the telemetry writer as its own process: migrates the schema, then writes until SIGTERM. */
public final class WriterMain {

    private WriterMain() {}

    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>(CommonSettings.kafka());
        d.putAll(CommonSettings.database());
        d.put("writer.group-id", "vigil-storage");
        d.put("writer.max-batch-records", "20000");
        d.put("writer.flush-interval", "500ms");
        d.put("writer.max-retry-backoff", "30s");
        d.put("writer.retention-raw", "P14D");
        d.put("writer.retention-1m", "P90D");
        d.put("writer.retention-1h", "P1098D");
        d.put("writer.partitions-ahead", "3");
        d.put("writer.maintenance-interval", "1h");
        d.put("writer.rollup-refresh-interval", "10s");
        d.put("writer.max-future-skew", "5m");
        return d;
    }

    public static WriterConfig config(Settings s) {
        return new WriterConfig(s.required("kafka.bootstrap"), CommonSettings.topics(s),
                s.required("writer.group-id"), s.required("db.url"), s.string("db.user"), s.string("db.password"),
                s.integer("writer.max-batch-records", 1, 1_000_000), s.duration("writer.flush-interval"),
                s.duration("writer.max-retry-backoff"),
                new RetentionConfig(s.duration("writer.retention-raw"), s.duration("writer.retention-1m"),
                        s.duration("writer.retention-1h"), s.integer("writer.partitions-ahead", 1, 60),
                        s.duration("writer.maintenance-interval")),
                s.duration("writer.rollup-refresh-interval"), s.duration("writer.max-future-skew"),
                io.vigil.model.config.KafkaSecurity.from(s));
    }

    public static void main(String[] args) throws Exception {
        Settings settings = Settings.load(defaults(), args.length > 0 ? Path.of(args[0]) : null, System.getenv(), Map.of());
        WriterConfig config = config(settings);
        SchemaMigrator.migrate(config.jdbcUrl(), config.user(), config.password());
        TelemetryWriter writer = new TelemetryWriter(config, Clock.systemUTC());
        CountDownLatch done = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            try {
                writer.run();
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
    }
}
