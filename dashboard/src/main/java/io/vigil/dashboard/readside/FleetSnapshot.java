package io.vigil.dashboard.readside;

import io.vigil.storage.query.GpuStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the console shows live, read once per refresh for every open view and API caller: each GPU's newest sample
 * with its health, the incidents (firing, and those of the last day), and the running jobs.
 *
 * @param newest  the newest sample's time (event time), null before any telemetry
 * @param takenAt when this snapshot was read (wall clock)
 * @param error   why the last refresh failed (the data is then the previous snapshot's), or null
 * @param placement which GPUs are shown and where: two snapshots with the same non-negative placement list the
 *                  same GPUs, in drawing order (row, rack, host, GPU), each in the same row and rack, so a view
 *                  can keep its layout and take the values by position; {@link #UNKNOWN_PLACEMENT} promises nothing
 */
public record FleetSnapshot(List<Gpu> gpus, List<Incident> incidents, List<Job> jobs,
                            Map<String, Integer> firingIncidentsBySeverity, Instant newest, Instant takenAt,
                            String error, long placement) {

    /** Drawing order: row, rack, host, GPU; a GPU without a row or rack is placed (and shown) as "(none)". */
    public static final java.util.Comparator<GpuStatus> DRAWING_ORDER = java.util.Comparator
            .comparing((GpuStatus g) -> placeName(g.row())).thenComparing(g -> placeName(g.rack()))
            .thenComparing(GpuStatus::host).thenComparingInt(GpuStatus::gpu);

    /** A row's or rack's name as shown: "(none)" when the GPU has none. */
    public static String placeName(String s) {
        return s == null ? "(none)" : s;
    }

    /** A snapshot whose GPUs may be in any order: views sort them and match them by key. */
    public static final long UNKNOWN_PLACEMENT = -1;

    public FleetSnapshot(List<Gpu> gpus, List<Incident> incidents, List<Job> jobs,
                         Map<String, Integer> firingIncidentsBySeverity, Instant newest, Instant takenAt,
                         String error) {
        this(gpus, incidents, jobs, firingIncidentsBySeverity, newest, takenAt, error, UNKNOWN_PLACEMENT);
    }

    /** One GPU as shown: its newest sample, health and owner. */
    public record Gpu(GpuStatus status, GpuHealth health, String team) {
        public String key() {
            return status.cluster() + "/" + status.host() + "/" + status.gpu();
        }
    }

    /** A job running now, as seen from its GPUs' newest samples. */
    public record Job(String cluster, String jobId, String name, String team, int gpus, int hosts, Double utilMeanPct,
                      double powerW, GpuHealth worst, int firingIncidents) {}

    public static FleetSnapshot empty() {
        return new FleetSnapshot(List.of(), List.of(), List.of(), Map.of(), null, Instant.EPOCH, null);
    }

    public FleetSnapshot failed(String why, Instant at) {
        return new FleetSnapshot(gpus, incidents, jobs, firingIncidentsBySeverity, newest, takenAt, why, placement);
    }

    public int firingIncidents() {
        return firingIncidentsBySeverity.values().stream().mapToInt(Integer::intValue).sum();
    }
}
