package io.vigil.evaluation.scorecard;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline the scorecard compares with: static per-GPU threshold rules, as one would write them as Prometheus
 * alerting rules on dcgm-exporter's metrics, each alert paging on its own (no correlation):
 * <pre>
 * THERMAL     DCGM_FI_DEV_GPU_TEMP &gt; 85                                   for 30s
 * STRAGGLER   DCGM_FI_DEV_SM_CLOCK &lt; 1600 and DCGM_FI_DEV_GPU_UTIL &gt; 50   for 30s
 * SYNC_STALL  DCGM_FI_DEV_GPU_UTIL &lt; 10 on a GPU allocated to a job        for 2m
 * SILENT      absent_over_time(DCGM_FI_DEV_GPU_TEMP[1m])
 * GPU_LOST    DCGM_FI_DEV_XID_ERRORS == 79
 * XID         DCGM_FI_DEV_XID_ERRORS &gt; 0
 * </pre>
 * Facility cooling and PDU power are not visible to per-GPU rules, so the baseline has no COOLING or POWER alerts.
 */
public final class StaticThresholdBaseline {

    /** One rule's condition holding on one GPU: since when, and whether it already fired. */
    private static final class Episode {
        long since = Long.MIN_VALUE;
        boolean fired;
    }

    private static final class GpuRules {
        final Map<AlertType, Episode> open = new HashMap<>();
        long lastTs = Long.MIN_VALUE;
        GpuSample last;
    }

    private final Map<String, GpuRules> gpus = new LinkedHashMap<>();
    private final List<AlertEvent> alerts = new ArrayList<>();

    /** Feeds one sample; samples of one GPU must come in time order (the scorecard sorts them). */
    public void accept(GpuSample s) {
        GpuRules r = gpus.computeIfAbsent(s.gpuKey(), k -> new GpuRules());
        if (r.lastTs != Long.MIN_VALUE && s.ts() - r.lastTs > 60_000) {
            fire(r.last, AlertType.SILENT, r.lastTs, r.lastTs + 60_000);
        }
        r.lastTs = Math.max(r.lastTs, s.ts());
        r.last = s;
        boolean lost = s.state() == GpuSample.GpuState.LOST || Integer.valueOf(79).equals(s.lastXid());
        rule(r, s, AlertType.GPU_LOST, lost, 0);
        rule(r, s, AlertType.XID, s.lastXid() != null && s.lastXid() > 0, 0);
        rule(r, s, AlertType.THERMAL, s.gpuTempC() != null && s.gpuTempC() > 85, 30_000);
        rule(r, s, AlertType.STRAGGLER, s.smClockMHz() != null && s.smClockMHz() < 1600 && s.gpuUtilPct() != null
                && s.gpuUtilPct() > 50, 30_000);
        rule(r, s, AlertType.SYNC_STALL, s.jobId() != null && s.gpuUtilPct() != null && s.gpuUtilPct() < 10, 120_000);
    }

    /** Closes the evaluation at {@code endMs}: GPUs silent since more than a minute fire. */
    public List<AlertEvent> finish(long endMs) {
        for (GpuRules r : gpus.values()) {
            if (r.last != null && endMs - r.lastTs > 60_000) {
                fire(r.last, AlertType.SILENT, r.lastTs, r.lastTs + 60_000);
            }
        }
        return alerts;
    }

    private void rule(GpuRules r, GpuSample s, AlertType type, boolean condition, long forMs) {
        Episode e = r.open.computeIfAbsent(type, t -> new Episode());
        if (!condition) {
            e.since = Long.MIN_VALUE;
            e.fired = false;
            return;
        }
        if (e.since == Long.MIN_VALUE) e.since = s.ts();
        if (!e.fired && s.ts() - e.since >= forMs) {
            e.fired = true;
            fire(s, type, e.since, s.ts());
        }
    }

    private void fire(GpuSample s, AlertType type, long since, long at) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("cluster", s.cluster());
        labels.put("host", s.host());
        labels.put("gpu", String.valueOf(s.gpu()));
        if (s.rack() != null) labels.put("rack", s.rack());
        if (s.jobId() != null) labels.put("job", s.jobId());
        if (s.rank() != null) labels.put("rank", String.valueOf(s.rank()));
        if (type == AlertType.XID && s.lastXid() != null) labels.put("xid", String.valueOf(s.lastXid()));
        labels.put(io.vigil.model.IncidentLabels.ROOT, "true");
        alerts.add(new AlertEvent(AlertEvent.fingerprint(type, labels), type, AlertEvent.Severity.WARNING,
                AlertEvent.State.FIRING, Instant.ofEpochMilli(since), null, labels, "baseline rule " + type, Map.of(),
                new Origin("baseline", 0, alerts.size() + 1), Instant.ofEpochMilli(at)));
    }
}
