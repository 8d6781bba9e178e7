package io.vigil.detection.facility;

import io.vigil.detection.alert.Alerts;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.PowerSample;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Power detector, keyed by device ({@code cluster/device}): a rack PDU drawing near its capacity (WARNING over
 * {@link FacilityConfig#pduWarnFraction()}, CRITICAL over {@link FacilityConfig#pduCriticalFraction()}), with
 * hysteresis. Samples without a capacity (host PSUs) are not judged. A host's power-capped GPUs show in the
 * straggler alert's clock-event reasons (power brake, SW power cap).
 */
public final class PowerDetector extends KeyedProcessFunction<String, PowerSample, AlertEvent> {

    public static final class Track {
        public int badRun, goodRun;
        public boolean firing;
        public long start, seq, lastSeen;
        public long timer = Long.MIN_VALUE;
        public String cluster, device, row, rack;
        public AlertEvent.Severity severity;
    }

    private final FacilityConfig config;
    private transient ValueState<Track> state;

    public PowerDetector(FacilityConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("power", Track.class));
    }

    @Override
    public void processElement(PowerSample s, Context ctx, Collector<AlertEvent> out) throws Exception {
        if (s.capacityW() == null || s.powerW() == null || s.capacityW() <= 0) {
            return;
        }
        Track t = state.value();
        if (t == null) {
            t = new Track();
            t.cluster = s.cluster();
            t.device = s.device();
        }
        t.row = s.row();
        t.rack = s.rack();
        t.lastSeen = Math.max(t.lastSeen, s.ts());
        double load = s.powerW() / s.capacityW();
        boolean bad = load >= config.pduWarnFraction();
        boolean good = load < config.pduWarnFraction() - 0.05;
        t.badRun = bad ? t.badRun + 1 : 0;
        t.goodRun = good ? t.goodRun + 1 : 0;
        if (!t.firing && t.badRun >= config.fireSamples()) {
            t.firing = true;
            t.start = s.ts() - (long) (config.fireSamples() - 1) * 1000;
            t.severity = load >= config.pduCriticalFraction() ? AlertEvent.Severity.CRITICAL : AlertEvent.Severity.WARNING;
            out.collect(event(t, AlertEvent.State.FIRING, null, s.ts(),
                    String.format("%s at %.1f kW of %.1f kW capacity (%.0f%%)", t.device, s.powerW() / 1000,
                            s.capacityW() / 1000, load * 100),
                    Alerts.evidence("powerW", s.powerW(), "capacityW", s.capacityW(), "loadPct", load * 100)));
        } else if (t.firing && t.goodRun >= config.resolveSamples()) {
            t.firing = false;
            out.collect(event(t, AlertEvent.State.RESOLVED, s.ts(), s.ts(),
                    String.format("%s back to %.0f%% of capacity", t.device, load * 100), Map.of()));
        }
        if (t.timer == Long.MIN_VALUE) {
            t.timer = s.ts() + config.entityTimeout().toMillis();
            ctx.timerService().registerEventTimeTimer(t.timer);
        }
        state.update(t);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertEvent> out) throws Exception {
        Track t = state.value();
        if (t == null || timestamp != t.timer) return;
        if (t.lastSeen + config.entityTimeout().toMillis() <= timestamp) {
            if (t.firing) {
                out.collect(event(t, AlertEvent.State.RESOLVED, timestamp, timestamp,
                        t.device + " stopped reporting; alert closed, state dropped", Map.of()));
            }
            state.clear();
            return;
        }
        t.timer = t.lastSeen + config.entityTimeout().toMillis();
        ctx.timerService().registerEventTimeTimer(t.timer);
        state.update(t);
    }

    private AlertEvent event(Track t, AlertEvent.State st, Long end, long detected, String summary,
                             Map<String, Double> evidence) {
        return Alerts.event(AlertType.POWER, t.severity, st, Alerts.labels("cluster", t.cluster, "device", t.device),
                Alerts.labels("row", t.row, "rack", t.rack, "scope", "facility"), t.start, end, detected, summary,
                evidence, "detector-power:" + t.cluster + "/" + t.device, ++t.seq);
    }
}
