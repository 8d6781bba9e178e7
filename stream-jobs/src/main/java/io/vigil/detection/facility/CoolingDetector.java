package io.vigil.detection.facility;

import io.vigil.detection.alert.Alerts;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.CoolingSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Facility cooling detector, keyed by device ({@code cluster/device}). A CDU alerts on flow or pressure loss
 * against its own learned usual values, supply coolant warmer than its usual set-point or than an absolute limit,
 * and a leak (at once, CRITICAL). Rack and chassis air sensors alert on inlet air over ASHRAE's recommended 27 °C —
 * a hot rack that is still in spec does not. A CDU's alert carries the racks it feeds ({@code racks}), so the
 * incident correlator can attach what happens on them.
 */
public final class CoolingDetector extends KeyedProcessFunction<String, CoolingSample, AlertEvent> {

    public static final class Track {
        public int samples;
        public double flow = Double.NaN, pressure = Double.NaN, supply = Double.NaN;
        public int badRun, goodRun;
        public boolean firing;
        public long start;
        public long seq;
        public long lastSeen;
        public long timer = Long.MIN_VALUE;
        public String cluster, device, source, row, rack, racks;
        public AlertEvent.Severity severity;
    }

    private final FacilityConfig config;
    private transient ValueState<Track> state;

    public CoolingDetector(FacilityConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>("cooling", Track.class));
    }

    @Override
    public void processElement(CoolingSample s, Context ctx, Collector<AlertEvent> out) throws Exception {
        Track t = state.value();
        if (t == null) {
            t = new Track();
            t.cluster = s.cluster();
            t.device = s.device();
        }
        t.source = s.source().name();
        t.row = s.row();
        t.rack = s.rack();
        if (s.servesRacks() != null && !s.servesRacks().isEmpty()) t.racks = String.join(",", s.servesRacks());
        t.lastSeen = Math.max(t.lastSeen, s.ts());
        t.samples++;

        List<String> problems = new ArrayList<>();
        boolean leak = Boolean.TRUE.equals(s.leakDetected());
        boolean critical = leak;
        if (leak) problems.add("leak detected" + leakingDetectors(s));
        boolean learned = t.samples > config.warmupSamples();
        if (s.flowLpm() != null && learned && s.flowLpm() < config.flowLossFraction() * t.flow) {
            problems.add(String.format("flow loss: %.0f L/min vs %.0f usual (%s)", s.flowLpm(), t.flow,
                    Alerts.pct(s.flowLpm() / t.flow - 1)));
            critical = true;
        }
        if (s.diffPressureKPa() != null && learned && t.pressure > 0
                && s.diffPressureKPa() < config.pressureLossFraction() * t.pressure) {
            problems.add(String.format("pressure loss: %.0f kPa vs %.0f usual", s.diffPressureKPa(), t.pressure));
        }
        if (s.supplyTempC() != null && ((learned && s.supplyTempC() > t.supply + config.supplyRiseC())
                || s.supplyTempC() > config.supplyMaxC())) {
            problems.add(String.format("supply coolant %.1f °C (usual %.1f °C)", s.supplyTempC(), t.supply));
        }
        if (s.inletAirTempC() != null && s.inletAirTempC() > config.inletAirMaxC()) {
            problems.add(String.format("inlet air %.1f °C, over the recommended %.0f °C", s.inletAirTempC(),
                    config.inletAirMaxC()));
        }
        boolean bad = !problems.isEmpty();
        t.badRun = bad ? t.badRun + 1 : 0;
        t.goodRun = bad ? 0 : t.goodRun + 1;
        if (!bad && !t.firing) {
            learn(t, s);
        }
        if (!t.firing && (t.badRun >= config.fireSamples() || leak)) {
            t.firing = true;
            t.start = s.ts() - (long) (Math.min(t.badRun, config.fireSamples()) - 1) * 1000;
            t.severity = critical ? AlertEvent.Severity.CRITICAL : AlertEvent.Severity.WARNING;
            out.collect(event(t, AlertEvent.State.FIRING, null, s.ts(),
                    t.device + " " + String.join("; ", problems) + (t.racks == null ? "" : " (feeds racks " + t.racks + ")"),
                    Alerts.evidence("flowLpm", s.flowLpm(), "usualFlowLpm", t.flow, "supplyTempC", s.supplyTempC(),
                            "usualSupplyTempC", t.supply, "diffPressureKPa", s.diffPressureKPa(),
                            "inletAirTempC", s.inletAirTempC(), "leak", leak ? 1.0 : null)));
        } else if (t.firing && t.goodRun >= config.resolveSamples()) {
            t.firing = false;
            out.collect(event(t, AlertEvent.State.RESOLVED, s.ts(), s.ts(), t.device + " back to normal", Map.of()));
        }
        if (t.timer == Long.MIN_VALUE) {
            t.timer = s.ts() + config.entityTimeout().toMillis();
            ctx.timerService().registerEventTimeTimer(t.timer);
        }
        state.update(t);
    }

    /** The detectors that report a leak, named with their state, e.g. " (ColdPlate_2: CRITICAL)"; empty if unknown. */
    static String leakingDetectors(CoolingSample s) {
        if (s.leakDetectors() == null) return "";
        List<String> names = new ArrayList<>();
        for (CoolingSample.LeakDetector d : s.leakDetectors()) {
            if (d.state() != CoolingSample.LeakDetector.State.OK) names.add(d.name() + ": " + d.state());
        }
        return names.isEmpty() ? "" : " (" + String.join(", ", names) + ")";
    }

    private void learn(Track t, CoolingSample s) {
        double a = t.samples <= config.warmupSamples() ? 1.0 / t.samples : 0.02;
        if (s.flowLpm() != null) t.flow = Double.isNaN(t.flow) ? s.flowLpm() : t.flow + a * (s.flowLpm() - t.flow);
        if (s.diffPressureKPa() != null) {
            t.pressure = Double.isNaN(t.pressure) ? s.diffPressureKPa() : t.pressure + a * (s.diffPressureKPa() - t.pressure);
        }
        if (s.supplyTempC() != null) {
            t.supply = Double.isNaN(t.supply) ? s.supplyTempC() : t.supply + a * (s.supplyTempC() - t.supply);
        }
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
        return Alerts.event(AlertType.COOLING, t.severity == null ? AlertEvent.Severity.WARNING : t.severity, st,
                Alerts.labels("cluster", t.cluster, "device", t.device),
                Alerts.labels("source", t.source, "row", t.row, "rack", t.rack, "racks", t.racks, "scope", "facility"),
                t.start, end, detected, summary, evidence, "detector-cooling:" + t.cluster + "/" + t.device, ++t.seq);
    }
}
