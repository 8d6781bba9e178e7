package io.vigil.collectors;

import io.vigil.model.TelemetryRecord;
import java.util.List;

/** One place a collector reads telemetry from: a dcgm-exporter endpoint, a Redfish service, ... */
public interface Source {

    /** Stable, human-readable name, used in logs and as the {@code target} label of the collector's metrics. */
    String name();

    /** Reads the source once; the records carry the scrape time and this collector's origin stamps. */
    List<TelemetryRecord> scrape() throws ScrapeException, InterruptedException;

    /**
     * How long one scrape may take in all, connect, headers and body included; the scrape loop gives up on the
     * scrape a short margin after it.
     */
    default java.time.Duration deadline() {
        return java.time.Duration.ofSeconds(10);
    }

    /**
     * Resources that failed inside scrapes that as a whole went on, counted by reason since start (a source made
     * of several resources, such as a Redfish service, loses only the readings under a failed resource).
     */
    default java.util.Map<String, Long> resourceErrorCounts() {
        return java.util.Map.of();
    }

    /**
     * Readings that were published but disagree with each other or with the configuration (a device's input
     * against the sum of its supplies', a reported rack against the configured one), counted by kind since start.
     */
    default java.util.Map<String, Long> readingWarnings() {
        return java.util.Map.of();
    }

    /** One line per resource that failed in the last scrape; empty when all were read. */
    default List<String> lastResourceErrors() {
        return List.of();
    }

    /** A scrape that failed: unreachable, timed out, refused or answered with something unusable. */
    final class ScrapeException extends Exception {
        public ScrapeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
