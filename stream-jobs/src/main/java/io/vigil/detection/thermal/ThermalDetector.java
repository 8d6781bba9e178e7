package io.vigil.detection.thermal;

import io.vigil.detection.alert.Alerts;
import io.vigil.detection.alert.EntityTimeout;
import io.vigil.detection.alert.Episode;
import io.vigil.detection.alert.KeyedDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.util.Collector;

/**
 * GPU thermal detector, keyed by GPU ({@link GpuSample#gpuKey()}). A GPU is hot when it is at or over its own
 * slowdown threshold, or reports a thermal clock-event reason (SW 0x20, HW 0x40) within
 * {@value #REASON_MARGIN_C} °C of it (a thermal reason on a cool GPU is a slowdown, the straggler detector's). After
 * {@link ThermalConfig#fireAfterSamples()} hot samples in a row it fires one THERMAL alert; after
 * {@link ThermalConfig#resolveAfterSamples()} cool samples in a row it resolves it. One firing and one resolved
 * event per episode, whatever the sample rate.
 *
 * <p>State per GPU is one small value; an event-time timer drops it {@link ThermalConfig#entityTimeout()} after the
 * GPU's last sample (the timer is moved forward lazily, when it fires), so GPUs that leave do not keep state.
 */
public final class ThermalDetector extends KeyedDetector<String, GpuSample, ThermalDetector.GpuThermalState> {

    /** Per-GPU state: the alert episode and the entity's timeout. */
    public static final class GpuThermalState {
        public Episode episode = new Episode();
        public EntityTimeout timeout = new EntityTimeout();
    }

    private final ThermalConfig config;

    public ThermalDetector(ThermalConfig config) {
        super("thermal", GpuThermalState.class);
        this.config = config;
    }

    @Override
    public void processElement(GpuSample s, Context ctx, Collector<AlertEvent> out) throws Exception {
        GpuThermalState st = load();
        if (st == null) {
            st = new GpuThermalState();
        }
        double threshold = s.slowdownTempC() != null ? s.slowdownTempC() : config.defaultSlowdownC();
        boolean overThreshold = s.gpuTempC() != null && s.gpuTempC() >= threshold;
        boolean reasonCounts = s.thermalThrottled() && thermalReasonCounts(s, threshold);
        boolean hot = overThreshold || reasonCounts;
        boolean cool = !reasonCounts
                && (s.gpuTempC() == null || s.gpuTempC() <= threshold - config.resolveMarginC());
        switch (st.episode.observe(hot, cool, s.ts(), config.fireAfterSamples(), config.resolveAfterSamples())) {
            case FIRED -> out.collect(alert(s, AlertEvent.State.FIRING, st.episode, null, threshold,
                    summaryFiring(s, threshold)));
            case RESOLVED -> out.collect(alert(s, AlertEvent.State.RESOLVED, st.episode, s.ts(), threshold,
                    String.format("GPU %s/gpu%d cooled to %.0f °C (slowdown %.0f °C), no thermal slowdown",
                            s.host(), s.gpu(), s.gpuTempC() == null ? Double.NaN : s.gpuTempC(), threshold)));
            default -> { }
        }
        st.timeout.touch(s.ts(), config.entityTimeout().toMillis(), ctx.timerService());
        save(st);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        GpuThermalState st = load();
        if (st == null) return;
        // Resolve rather than leave an alert firing forever for a GPU that stopped reporting; the silence itself is
        // a separate problem for a separate detector.
        String gpuKey = ctx.getCurrentKey();
        expireSilent(timestamp, st, st.episode, st.timeout, config.entityTimeout().toMillis(), ctx.timerService(),
                () -> {
                    String[] key = gpuKey.split("/", 3);
                    Map<String, String> labels = entityLabels(key[0], null, null, key[1],
                            key.length > 2 ? key[2] : "", null);
                    out.collect(Alerts.event(AlertType.THERMAL, AlertEvent.Severity.WARNING,
                            AlertEvent.State.RESOLVED, labels, Map.of(), st.episode.startMs, st.timeout.lastSeenMs,
                            timestamp, "GPU " + key[1] + "/gpu" + (key.length > 2 ? key[2] : "?")
                                    + " stopped reporting; thermal alert closed", Map.of(), 
                            st.episode.nextOrigin(originOf(gpuKey))));
                });
    }

    /**
     * Whether a thermal clock-event reason is the device's heat: when the GPU or its memory is within
     * {@value #REASON_MARGIN_C} °C of the slowdown temperature, or its temperature is not reported. A thermal reason
     * on a GPU that is far cooler says the GPU is slowed, not that it is hot: the straggler detector judges the effect
     * and names the reason as its likely cause; it is not a device alert.
     */
    static boolean thermalReasonCounts(GpuSample s, double threshold) {
        if (s.gpuTempC() == null) return true;
        if (s.gpuTempC() >= threshold - REASON_MARGIN_C) return true;
        return s.memTempC() != null && s.memTempC() >= threshold - REASON_MARGIN_C;
    }

    /** How far under the slowdown temperature a thermal reason still counts as heat. */
    static final double REASON_MARGIN_C = 10;

    private AlertEvent alert(GpuSample s, AlertEvent.State alertState, Episode episode, Long endMs, double threshold,
                             String summary) {
        Map<String, String> labels = entityLabels(s.cluster(), s.row(), s.rack(), s.host(), String.valueOf(s.gpu()),
                s.uuid());
        Map<String, String> identity = entityLabels(s.cluster(), null, null, s.host(), String.valueOf(s.gpu()), null);
        labels.put("scope", "gpu");
        if (s.jobId() != null) {
            labels.put("job", s.jobId());
        }
        if (s.rank() != null) {
            labels.put("rank", String.valueOf(s.rank()));
        }
        Map<String, Double> evidence = new LinkedHashMap<>();
        if (s.gpuTempC() != null) evidence.put("gpuTempC", s.gpuTempC());
        evidence.put("slowdownTempC", threshold);
        if (s.clockEventReasons() != null) evidence.put("clockEventReasons", (double) s.clockEventReasons());
        if (s.smClockMHz() != null) evidence.put("smClockMHz", s.smClockMHz());
        if (s.powerW() != null) evidence.put("powerW", s.powerW());
        AlertEvent.Severity severity = s.shutdownTempC() != null && s.gpuTempC() != null
                && s.gpuTempC() >= s.shutdownTempC() - 2 ? AlertEvent.Severity.CRITICAL : AlertEvent.Severity.WARNING;
        return Alerts.event(AlertType.THERMAL, severity, alertState, identity, labels, episode.startMs, endMs, s.ts(),
                summary, evidence, episode.nextOrigin(originOf(s.gpuKey())));
    }

    /**
     * Alerts of one GPU form one origin stream with a gap-free sequence, deterministic across restarts, so loss or
     * duplication of alert events is measurable just as for telemetry.
     */
    private static String originOf(String gpuKey) {
        return "detector-thermal:" + gpuKey;
    }

    private static String summaryFiring(GpuSample s, double threshold) {
        String reasons = s.clockEventReasons() == null ? "" : String.join(", ",
                ClockEventReason.decode(s.clockEventReasons() & ClockEventReason.THERMAL_MASK));
        return String.format("GPU %s/gpu%d at %.0f °C (slowdown %.0f °C)%s", s.host(), s.gpu(),
                s.gpuTempC() == null ? Double.NaN : s.gpuTempC(), threshold,
                reasons.isEmpty() ? "" : ", " + reasons);
    }

    private static Map<String, String> entityLabels(String cluster, String row, String rack, String host, String gpu,
                                                    String uuid) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("cluster", cluster);
        if (row != null) labels.put("row", row);
        if (rack != null) labels.put("rack", rack);
        labels.put("host", host);
        labels.put("gpu", gpu);
        if (uuid != null) labels.put("uuid", uuid);
        return labels;
    }
}
