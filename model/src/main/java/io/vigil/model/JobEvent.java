package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A training job's allocation changed, on {@link Topics#jobs()}: it started, was resized or ended. {@code ranks}
 * lists, for START and RESIZE, every GPU the job holds afterwards with the rank that runs on it; END may leave it
 * empty. Allocation travels here, once per change, rather than as a label on every sample.
 */
public record JobEvent(
        long ts,
        String cluster,
        String jobId,
        Kind kind,
        String name,
        String team,
        List<RankAllocation> ranks,
        Origin origin) implements TelemetryRecord {

    public enum Kind { START, RESIZE, END }

    /** One rank of a job and the GPU it runs on. */
    public record RankAllocation(int rank, String host, int gpu, String uuid) {}

    @Override
    @JsonProperty("schema")
    public Schema schema() {
        return Schema.JOB;
    }

    @Override
    @JsonIgnore
    public long eventTimeMs() {
        return ts;
    }
}
