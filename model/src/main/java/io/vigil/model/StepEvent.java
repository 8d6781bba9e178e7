package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One training step of one rank, on {@link Topics#steps()}, emitted by the training loop itself (optional: the
 * straggler detector works from GPU telemetry alone, and sharpens with step times when they are there).
 *
 * <p>{@code computeMs} is the time the rank spent computing (forward, backward, optimizer) and {@code commMs} the time
 * it spent in collectives; when the loop can tell them apart, the straggler is the rank with the longest compute
 * time, while every rank's wall-clock step ({@code endTs - startTs}) is the same in synchronous training.
 */
public record StepEvent(
        String cluster,
        String jobId,
        int rank,
        long step,
        long startTs,
        long endTs,
        Double computeMs,
        Double commMs,
        String host,
        Integer gpu,
        Origin origin) implements TelemetryRecord {

    @Override
    @JsonProperty("schema")
    public Schema schema() {
        return Schema.STEP;
    }

    @Override
    @JsonIgnore
    public long eventTimeMs() {
        return endTs;
    }

    /** The step's cost for straggler detection: compute time when known, otherwise the step's wall-clock time. */
    @JsonIgnore
    public double costMs() {
        return computeMs != null ? computeMs : endTs - startTs;
    }
}
