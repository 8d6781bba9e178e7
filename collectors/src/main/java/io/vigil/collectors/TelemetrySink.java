package io.vigil.collectors;

import io.vigil.model.TelemetryRecord;

/** Where a collector hands its records: Kafka in production, stdout for {@code --once}, a list in tests. */
public interface TelemetrySink extends AutoCloseable {

    void publish(TelemetryRecord record);

    /** Blocks until every record published so far has been handed over (acknowledged, for Kafka). */
    void flush();

    @Override
    void close();
}
