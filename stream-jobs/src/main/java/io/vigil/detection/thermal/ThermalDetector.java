package io.vigil.detection.thermal;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.ClockEventReason;
import io.vigil.model.GpuSample;
import io.vigil.model.Origin;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * GPU thermal detector, keyed by GPU ({@link GpuSample#gpuKey()}). A GPU is hot when it is at or over its own
 * slowdown threshold or reports a thermal clock-event reason (SW 0x20, HW 0x40). After
 * {@link ThermalConfig#fireAfterSamples()} hot samples in a row it fires one THERMAL alert; after
 * {@link ThermalConfig#resolveAfterSamples()} cool samples in a row it resolves it. One firing and one resolved
 * event per episode, whatever the sample rate.
 *
 * <p>State per GPU is one small value; an event-time timer drops it {@link ThermalConfig#entityTimeout()} after the
 * GPU's last sample (the timer is moved forward lazily, when it fires), so GPUs that leave do not keep state.
 */
public final class ThermalDetector extends KeyedProcessFunction<String, GpuSample, AlertEvent> {

    /** Per-GPU state: run lengths, the open episode if any, and the cleanup timer registered for it. */
    public record GpuThermalState(int hotRun, int coolRun, long episodeStartMs, boolean firing, long lastSeenMs,
                                  long cleanupTimerMs, long alertsEmitted) {}

    private final ThermalConfig config;
    private transient ValueState<GpuThermalState> state;

    public ThermalDetector(ThermalConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("thermal", GpuThermalState.class));
    }

    @Override
    public void processElement(GpuSample s, Context ctx, Collector<AlertEvent> out) throws Exception {
        GpuThermalState st = state.value();
        if (st == null) {
            st = new GpuThermalState(0, 0, 0, false, 0, Long.MIN_VALUE, 0);
        }
        double threshold = s.slowdownTempC() != null ? s.slowdownTempC() : config.defaultSlowdownC();
        boolean overThreshold = s.gpuTempC() != null && s.gpuTempC() >= threshold;
        boolean hot = overThreshold || s.thermalThrottled();
        boolean cool = !s.thermalThrottled()
                && (s.gpuTempC() == null || s.gpuTempC() <= threshold - config.resolveMarginC());

        int hotRun = hot ? st.hotRun() + 1 : 0;
        int coolRun = cool ? st.coolRun() + 1 : 0;
        long episodeStart = hot && st.hotRun() == 0 && !st.firing() ? s.ts() : st.episodeStartMs();
        boolean firing = st.firing();
        long emitted = st.alertsEmitted();

        if (!firing && hotRun >= config.fireAfterSamples()) {
            firing = true;
            emitted++;
            out.collect(alert(s, AlertEvent.State.FIRING, episodeStart, null, threshold, emitted,
                    summaryFiring(s, threshold)));
        } else if (firing && coolRun >= config.resolveAfterSamples()) {
            firing = false;
            emitted++;
            out.collect(alert(s, AlertEvent.State.RESOLVED, episodeStart, s.ts(), threshold, emitted,
                    String.format("GPU %s/gpu%d cooled to %.0f °C (slowdown %.0f °C), no thermal slowdown",
                            s.host(), s.gpu(), s.gpuTempC() == null ? Double.NaN : s.gpuTempC(), threshold)));
        }

        long lastSeen = Math.max(st.lastSeenMs(), s.ts());
        long timer = st.cleanupTimerMs();
        // One cleanup timer per GPU, moved forward when it fires rather than on every sample: at 100,000 GPUs a
        // delete and register per sample costs more than the detection itself.
        if (timer == Long.MIN_VALUE) {
            timer = lastSeen + config.entityTimeout().toMillis();
            ctx.timerService().registerEventTimeTimer(timer);
        }
        state.update(new GpuThermalState(hotRun, coolRun, episodeStart, firing, lastSeen, timer, emitted));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        GpuThermalState st = state.value();
        if (st == null || timestamp != st.cleanupTimerMs()) {
            return;
        }
        long due = st.lastSeenMs() + config.entityTimeout().toMillis();
        if (due > timestamp) {
            ctx.timerService().registerEventTimeTimer(due);
            state.update(new GpuThermalState(st.hotRun(), st.coolRun(), st.episodeStartMs(), st.firing(),
                    st.lastSeenMs(), due, st.alertsEmitted()));
            return;
        }
        if (st.firing()) {
            // Resolve rather than leave an alert firing forever for a GPU that stopped reporting; the silence
            // itself is a separate problem for a separate detector.
            String[] key = ctx.getCurrentKey().split("/", 3);
            Map<String, String> labels = entityLabels(key[0], null, null, key[1], key.length > 2 ? key[2] : "", null);
            out.collect(new AlertEvent(AlertEvent.fingerprint(AlertType.THERMAL, labels), AlertType.THERMAL,
                    AlertEvent.Severity.WARNING, AlertEvent.State.RESOLVED, Instant.ofEpochMilli(st.episodeStartMs()),
                    Instant.ofEpochMilli(st.lastSeenMs()), labels,
                    "GPU " + key[1] + "/gpu" + (key.length > 2 ? key[2] : "?") + " stopped reporting; thermal alert closed",
                    Map.of(), new Origin(originOf(ctx.getCurrentKey()), 0, st.alertsEmitted() + 1),
                    Instant.ofEpochMilli(timestamp)));
        }
        state.clear();
    }

    private AlertEvent alert(GpuSample s, AlertEvent.State alertState, long startMs, Long endMs, double threshold,
                             long seq, String summary) {
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
        return new AlertEvent(AlertEvent.fingerprint(AlertType.THERMAL, identity), AlertType.THERMAL, severity,
                alertState, Instant.ofEpochMilli(startMs), endMs == null ? null : Instant.ofEpochMilli(endMs),
                labels, summary, evidence, new Origin(originOf(s.gpuKey()), 0, seq), Instant.ofEpochMilli(s.ts()));
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
