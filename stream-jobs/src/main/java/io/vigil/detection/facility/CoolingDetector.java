package io.vigil.detection.facility;

import io.vigil.detection.alert.Alerts;
import io.vigil.detection.alert.Episode;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.CoolingSample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;

/**
 * Facility cooling detector, keyed by device ({@code cluster/device}). A CDU alerts on flow or pressure loss
 * against its own learned usual values and supply coolant warmer than its usual set-point or than an absolute limit
 * (COOLING). A leak on any device — a CDU, a tray's cold plate or manifold — is its own LEAK alert, at once, so it
 * pages even while the device's COOLING alert is already firing. Rack and chassis air sensors alert on inlet air over ASHRAE's recommended 27 °C —
 * a hot rack that is still in spec does not. A CDU's alert carries the racks it feeds ({@code racks}), so the
 * incident correlator can attach what happens on them.
 */
public final class CoolingDetector extends DeviceDetector<CoolingSample, CoolingDetector.Track> {

    /** A device's track, with the usual flow, pressure and supply temperature it learned, and its leak episode. */
    public static final class Track extends DeviceTrack {
        public int samples;
        /** The device's LEAK alert, apart from its other cooling problems so that a leak always pages. */
        public Episode leak = new Episode();
        public AlertEvent.Severity leakSeverity;
        public double flow = Double.NaN, pressure = Double.NaN, supply = Double.NaN;
        public String source, racks;
    }

    private final FacilityConfig config;

    public CoolingDetector(FacilityConfig config) {
        super(AlertType.COOLING, "cooling", Track.class, config.entityTimeout());
        this.config = config;
    }

    @Override
    public void processElement(CoolingSample s, Context ctx, Collector<AlertEvent> out) throws Exception {
        Track t = load();
        if (t == null) {
            t = new Track();
            t.cluster = s.cluster();
            t.device = s.device();
        }
        t.source = s.source().name();
        t.row = s.row();
        t.rack = s.rack();
        if (s.servesRacks() != null && !s.servesRacks().isEmpty()) t.racks = String.join(",", s.servesRacks());
        t.samples++;

        leak(t, s, out);
        List<String> problems = new ArrayList<>();
        boolean critical = false;
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
        boolean supplyProblem = s.supplyTempC() != null && ((learned && s.supplyTempC() > t.supply + config.supplyRiseC())
                || s.supplyTempC() > config.supplyMaxC());
        if (supplyProblem) {
            problems.add(String.format("supply coolant %.1f °C (usual %.1f °C)", s.supplyTempC(), t.supply));
        } else if (!problems.isEmpty() && s.supplyTempC() != null && learned
                && Math.abs(s.supplyTempC() - t.supply) >= 0.5) {
            // Not a problem of its own yet, but on-call wants to see it beside a flow or pressure loss.
            problems.add(String.format("supply coolant %.1f °C (usual %.1f °C, %+.1f °C)", s.supplyTempC(), t.supply,
                    s.supplyTempC() - t.supply));
        }
        if (s.inletAirTempC() != null && s.inletAirTempC() > config.inletAirMaxC()) {
            problems.add(String.format("inlet air %.1f °C, over the recommended %.0f °C", s.inletAirTempC(),
                    config.inletAirMaxC()));
        }
        boolean bad = !problems.isEmpty();
        if (!bad && !t.episode.firing) {
            learn(t, s);
        }
        Episode.Step step = t.episode.observe(bad, !bad, s.ts(), config.fireSamples(), config.resolveSamples());
        if (step == Episode.Step.FIRED) {
            t.severity = critical ? AlertEvent.Severity.CRITICAL : AlertEvent.Severity.WARNING;
            out.collect(event(t, AlertEvent.State.FIRING, null, s.ts(),
                    t.device + " " + String.join("; ", problems) + (t.racks == null ? "" : " (feeds racks " + t.racks + ")"),
                    Alerts.evidence("flowLpm", s.flowLpm(), "usualFlowLpm", t.flow, "supplyTempC", s.supplyTempC(),
                            "usualSupplyTempC", t.supply, "diffPressureKPa", s.diffPressureKPa(),
                            "inletAirTempC", s.inletAirTempC())));
        } else if (step == Episode.Step.RESOLVED) {
            out.collect(event(t, AlertEvent.State.RESOLVED, s.ts(), s.ts(), t.device + " back to normal", Map.of()));
        }
        seen(t, s.ts(), ctx);
        save(t);
    }

    /**
     * The device's LEAK alert: fires on the first sample that reports a leak (CRITICAL; WARNING when its detectors
     * only warn of moisture), with the leaking detectors, what they watch and how the device will react named;
     * resolves after {@code resolveSamples} dry samples in a row. A sample that says nothing of leaks changes
     * nothing.
     */
    private void leak(Track t, CoolingSample s, Collector<AlertEvent> out) {
        if (s.leakDetected() == null) return;
        boolean wet = s.leakDetected();
        if (wet && t.leak.fireNow(s.ts())) {
            boolean critical = s.leakDetectors() == null || s.leakDetectors().stream()
                    .anyMatch(d -> d.state() == CoolingSample.LeakDetector.State.CRITICAL);
            t.leakSeverity = critical ? AlertEvent.Severity.CRITICAL : AlertEvent.Severity.WARNING;
            Double delay = s.leakDetectors() == null ? null : s.leakDetectors().stream()
                    .filter(d -> d.state() != CoolingSample.LeakDetector.State.OK && d.reactionDelaySeconds() != null)
                    .map(CoolingSample.LeakDetector::reactionDelaySeconds).min(Double::compare).orElse(null);
            long leaking = s.leakDetectors() == null ? 1 : s.leakDetectors().stream()
                    .filter(d -> d.state() != CoolingSample.LeakDetector.State.OK).count();
            out.collect(event(AlertType.LEAK, t.leak, t.leakSeverity, LEAK_STREAM, t, AlertEvent.State.FIRING, null,
                    s.ts(), t.device + " leak detected" + leakingDetectors(s)
                            + (t.rack == null ? "" : " in rack " + t.rack)
                            + (t.racks == null ? "" : " (feeds racks " + t.racks + ")"),
                    Alerts.evidence("leakingDetectors", (double) leaking, "reactionDelaySeconds", delay,
                            "supplyTempC", s.supplyTempC(), "flowLpm", s.flowLpm())));
        } else if (wet) {
            t.leak.goodRun = 0;
        } else if (t.leak.observe(false, true, s.ts(), Integer.MAX_VALUE, config.resolveSamples())
                == Episode.Step.RESOLVED) {
            out.collect(event(AlertType.LEAK, t.leak, t.leakSeverity, LEAK_STREAM, t, AlertEvent.State.RESOLVED,
                    s.ts(), s.ts(), t.device + " dry again", Map.of()));
        }
    }

    private static final String LEAK_STREAM = "detector-leak:";

    @Override
    void closeSilent(Track t, long timestamp, Collector<AlertEvent> out) {
        if (t.leak.close()) {
            out.collect(event(AlertType.LEAK, t.leak, t.leakSeverity, LEAK_STREAM, t, AlertEvent.State.RESOLVED,
                    timestamp, timestamp, t.device + " stopped reporting; leak alert closed, state dropped", Map.of()));
        }
    }

    /**
     * The detectors that report a leak, named with their state, what they watch and the device's own reaction, e.g.
     * " (LeakDetector_1_Manifold: CRITICAL, Manifold, says LeakDetected; ForceOff in 10 s)"; empty if unknown.
     */
    static String leakingDetectors(CoolingSample s) {
        if (s.leakDetectors() == null) return "";
        List<String> names = new ArrayList<>();
        for (CoolingSample.LeakDetector d : s.leakDetectors()) {
            if (d.state() == CoolingSample.LeakDetector.State.OK) continue;
            StringBuilder b = new StringBuilder(d.name()).append(": ").append(d.state());
            if (d.where() != null && !d.name().contains(d.where())) b.append(", ").append(d.where());
            if (d.reportedState() != null && !d.reportedState().equalsIgnoreCase(d.state().name())) {
                b.append(", says ").append(d.reportedState());
            }
            if (d.reaction() != null && !d.reaction().equals("None")) {
                b.append("; ").append(d.reaction());
                if (d.reactionDelaySeconds() != null) b.append(String.format(" in %.0f s", d.reactionDelaySeconds()));
            }
            names.add(b.toString());
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
    Map<String, String> describe(Track t) {
        return Alerts.labels("source", t.source, "row", t.row, "rack", t.rack, "racks", t.racks, "scope", "facility");
    }
}
