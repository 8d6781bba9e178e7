package io.vigil.collectors;

import io.vigil.model.TelemetryRecord;
import java.util.List;

/** One place a collector reads telemetry from: a dcgm-exporter endpoint, a Redfish service, ... */
public interface Source {

    /** Stable, human-readable name, used in logs and as the {@code target} label of the collector's metrics. */
    String name();

    /** Reads the source once; the records carry the scrape time and this collector's origin stamps. */
    List<TelemetryRecord> scrape() throws ScrapeException, InterruptedException;

    /** A scrape that failed: unreachable, timed out, refused or answered with something unusable. */
    final class ScrapeException extends Exception {
        public ScrapeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
