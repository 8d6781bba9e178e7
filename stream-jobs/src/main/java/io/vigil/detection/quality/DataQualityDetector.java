package io.vigil.detection.quality;

import io.vigil.detection.alert.Alerts;
import io.vigil.detection.alert.EntityTimeout;
import io.vigil.detection.alert.KeyedDetector;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.GpuSample;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.util.Collector;

/**
 * Telemetry that lies, keyed by GPU ({@link GpuSample#gpuKey()}): readings that cannot all be true at once, held for
 * long enough that no real moment explains them. Each check is one DATA_QUALITY alert per GPU (label {@code check}),
 * severity INFO — a record for the people who own the exporters, never a page:
 * <ul>
 *   <li>{@code sm-activity-zero}: SM activity exactly 0 while the GPU draws at least half its power limit and its
 *       memory or tensor cores are busy, for {@value #SM_ZERO_MS} ms (an exporter bug left one activity metric at 0
 *       for weeks while utilisation read 99 %). A synchronization stall is not this: its ranks spin at near-idle
 *       power with no memory traffic;</li>
 *   <li>{@code power-below-idle}: under a tenth of the power limit (or 40 W without one) at 90 % utilisation or
 *       more with the SMs busy, for {@value #POWER_LOW_MS} ms;</li>
 *   <li>{@code temperature-frozen}: the temperature the same to the tenth for {@value #TEMP_FROZEN_MS} ms while the
 *       power moves by a fifth of the limit (or 100 W) or more — a stuck sensor.</li>
 * </ul>
 * A check resolves after {@value #CLEAR_MS} ms without its condition. Event time throughout; a GPU silent for the
 * entity timeout is forgotten, its open checks resolved.
 */
public class DataQualityDetector extends KeyedDetector<String, GpuSample, DataQualityDetector.GpuQuality> {

    static final long SM_ZERO_MS = 10 * 60_000L;
    static final long POWER_LOW_MS = 5 * 60_000L;
    static final long TEMP_FROZEN_MS = 10 * 60_000L;
    static final long CLEAR_MS = 60_000L;

    /** One check's run: since when its condition holds, whether its alert is open, and its origin stream. */
    public static final class Check {
        public long badSinceMs = Long.MIN_VALUE;
        public long goodSinceMs = Long.MIN_VALUE;
        public boolean firing;
        public long startMs;
        public long seq;
        public long epochMs;
    }

    /** Per GPU: its checks, the frozen-temperature run and where it is. A Flink POJO. */
    public static final class GpuQuality {
        public HashMap<String, Check> checks = new HashMap<>();
        public double frozenTemp = Double.NaN;
        public long frozenSinceMs = Long.MIN_VALUE;
        public double powerMin = Double.NaN, powerMax = Double.NaN;
        public String cluster, row, rack, host, gpu, uuid;
        public EntityTimeout timeout = new EntityTimeout();
    }

    private final long timeoutMs;

    public DataQualityDetector(Duration entityTimeout) {
        super("data-quality", new GpuQualitySerializer());
        this.timeoutMs = entityTimeout.toMillis();
    }

    @Override
    public void processElement(GpuSample s, Context ctx, Collector<AlertEvent> out) throws Exception {
        GpuQuality loaded = load();
        final GpuQuality q = loaded == null ? new GpuQuality() : loaded;
        q.cluster = s.cluster();
        q.row = s.row();
        q.rack = s.rack();
        q.host = s.host();
        q.gpu = String.valueOf(s.gpu());
        q.uuid = s.uuid();
        long ts = s.ts();
        Double limit = s.powerLimitW();

        boolean busyMemory = (s.dramActivePct() != null && s.dramActivePct() >= 10)
                || (s.tensorActivePct() != null && s.tensorActivePct() > 0);
        Boolean smZero = s.smActivePct() == null || s.powerW() == null || limit == null ? null
                : s.smActivePct() == 0 && s.powerW() >= 0.5 * limit && busyMemory;
        judge(q, "sm-activity-zero", smZero, SM_ZERO_MS, ts, out, () -> String.format(
                "GPU %s/gpu%s: SM activity reads 0 while it draws %.0f W of %.0f W with its memory busy: the "
                        + "SM-activity metric is suspect, not the GPU", q.host, q.gpu, s.powerW(), limit),
                () -> Alerts.evidence("smActivePct", s.smActivePct(), "powerW", s.powerW(), "powerLimitW", limit,
                        "dramActivePct", s.dramActivePct(), "tensorActivePct", s.tensorActivePct()));

        double floor = limit != null ? 0.1 * limit : 40;
        Boolean powerLow = s.powerW() == null || s.gpuUtilPct() == null ? null
                : s.gpuUtilPct() >= 90 && (s.smActivePct() == null || s.smActivePct() >= 50) && s.powerW() < floor;
        judge(q, "power-below-idle", powerLow, POWER_LOW_MS, ts, out, () -> String.format(
                "GPU %s/gpu%s: %.0f W at %.0f %% utilisation, below what an idle GPU draws: the power reading is "
                        + "suspect", q.host, q.gpu, s.powerW(), s.gpuUtilPct()),
                () -> Alerts.evidence("powerW", s.powerW(), "gpuUtilPct", s.gpuUtilPct(), "powerLimitW", limit));

        // A run of one temperature: false when it changes, true once it has lasted the hold with the power moving
        // by the swing, nothing (null) in between.
        Boolean frozen = null;
        if (s.gpuTempC() != null && s.powerW() != null) {
            double t = Math.round(s.gpuTempC() * 10) / 10.0;
            if (t != q.frozenTemp) {
                frozen = q.frozenSinceMs == Long.MIN_VALUE ? null : Boolean.FALSE;
                q.frozenTemp = t;
                q.frozenSinceMs = ts;
                q.powerMin = s.powerW();
                q.powerMax = s.powerW();
            } else {
                q.powerMin = Math.min(q.powerMin, s.powerW());
                q.powerMax = Math.max(q.powerMax, s.powerW());
                double swing = limit != null ? 0.2 * limit : 100;
                if (q.powerMax - q.powerMin >= swing && ts - q.frozenSinceMs >= TEMP_FROZEN_MS) frozen = Boolean.TRUE;
            }
        }
        if (Boolean.TRUE.equals(frozen)) {
            Check tc = q.checks.computeIfAbsent("temperature-frozen", k -> new Check());
            if (tc.badSinceMs == Long.MIN_VALUE) tc.badSinceMs = q.frozenSinceMs;
        }
        long frozenFor = q.frozenSinceMs == Long.MIN_VALUE ? 0 : ts - q.frozenSinceMs;
        double frozenTemp = q.frozenTemp, powerMin = q.powerMin, powerMax = q.powerMax;
        judge(q, "temperature-frozen", frozen, TEMP_FROZEN_MS, ts, out, () -> String.format(
                "GPU %s/gpu%s: temperature %.1f °C unchanged for %d min while its power moved %.0f–%.0f W: the "
                        + "temperature sensor is suspect", q.host, q.gpu, frozenTemp, frozenFor / 60_000, powerMin,
                        powerMax),
                () -> Alerts.evidence("gpuTempC", frozenTemp, "powerMinW", powerMin, "powerMaxW", powerMax));

        q.timeout.touch(ts, timeoutMs, ctx.timerService());
        save(q);
    }

    /**
     * One check's observation: {@code bad} null says nothing (the fields are absent), true extends its run, false
     * ends it. Fires once the run has lasted {@code holdMs}; resolves after {@link #CLEAR_MS} of false.
     */
    private void judge(GpuQuality q, String name, Boolean bad, long holdMs, long ts, Collector<AlertEvent> out,
                       java.util.function.Supplier<String> summary,
                       java.util.function.Supplier<Map<String, Double>> evidence) {
        if (bad == null) return;
        Check c = q.checks.get(name);
        if (c == null) {
            if (!bad) return; // nothing to remember about a check that never held
            c = new Check();
            q.checks.put(name, c);
        }
        if (bad) {
            c.goodSinceMs = Long.MIN_VALUE;
            if (c.badSinceMs == Long.MIN_VALUE) c.badSinceMs = ts;
            if (!c.firing && ts - c.badSinceMs >= holdMs) {
                c.firing = true;
                c.startMs = c.badSinceMs;
                out.collect(event(q, name, c, AlertEvent.State.FIRING, null, ts, summary.get(), evidence.get()));
            }
        } else {
            c.badSinceMs = Long.MIN_VALUE;
            if (c.firing) {
                if (c.goodSinceMs == Long.MIN_VALUE) c.goodSinceMs = ts;
                if (ts - c.goodSinceMs >= CLEAR_MS) {
                    c.firing = false;
                    out.collect(event(q, name, c, AlertEvent.State.RESOLVED, ts, ts,
                            "GPU " + q.host + "/gpu" + q.gpu + ": " + name + " no longer seen", Map.of()));
                }
            }
        }
    }

    private static AlertEvent event(GpuQuality q, String check, Check c, AlertEvent.State state, Long end,
                                    long detected, String summary, Map<String, Double> evidence) {
        if (c.seq == 0) c.epochMs = c.startMs;
        return Alerts.event(AlertType.DATA_QUALITY, AlertEvent.Severity.INFO, state,
                Alerts.labels("cluster", q.cluster, "host", q.host, "gpu", q.gpu, "check", check),
                Alerts.labels("row", q.row, "rack", q.rack, "uuid", q.uuid, "scope", "data"), c.startMs, end, detected,
                summary, evidence, new io.vigil.model.Origin("detector-data-quality:" + q.cluster + "/" + q.host + "/"
                        + q.gpu + "/" + check, c.epochMs, ++c.seq));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        GpuQuality q = load();
        if (q == null || !q.timeout.owns(timestamp)) return;
        if (!q.timeout.expired(timestamp, timeoutMs, ctx.timerService())) {
            save(q);
            return;
        }
        for (Map.Entry<String, Check> e : q.checks.entrySet()) {
            Check c = e.getValue();
            if (c.firing) {
                c.firing = false;
                out.collect(event(q, e.getKey(), c, AlertEvent.State.RESOLVED, timestamp, timestamp,
                        "GPU " + q.host + "/gpu" + q.gpu + " stopped reporting; " + e.getKey() + " closed", Map.of()));
            }
        }
        drop();
    }
}
