package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A training job's allocation changed, on {@link Topics#jobs()}: it started, was resized or ended. {@code ranks}
 * lists, for START and RESIZE, every GPU the job holds afterwards with the rank that runs on it; END may leave it
 * empty. Allocation travels here, once per change, rather than as a label on every sample.
 *
 * <p>Ownership, all optional, routes the job's incidents to its owners: {@code team}, {@code account} (the Slurm
 * account, from the prolog) and {@code namespace} (the Kubernetes namespace).
 */
public record JobEvent(
        long ts,
        String cluster,
        String jobId,
        Kind kind,
        String name,
        String team,
        List<RankAllocation> ranks,
        Origin origin,
        String account,
        String namespace) implements TelemetryRecord {

    /** A job event without a scheduler account or Kubernetes namespace. */
    public JobEvent(long ts, String cluster, String jobId, Kind kind, String name, String team,
                    List<RankAllocation> ranks, Origin origin) {
        this(ts, cluster, jobId, kind, name, team, ranks, origin, null, null);
    }

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
