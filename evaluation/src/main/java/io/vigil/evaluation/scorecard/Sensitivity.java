package io.vigil.evaluation.scorecard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.detection.DetectionConfig;
import io.vigil.detection.facility.FacilityConfig;
import io.vigil.detection.health.HostHealthConfig;
import io.vigil.detection.job.StragglerConfig;
import io.vigil.detection.job.SyncStallConfig;
import io.vigil.detection.thermal.ThermalConfig;
import io.vigil.model.WireFormat;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vigil scorecard --sensitivity}: the suite again with every detector's main thresholds at 0.5x, 0.75x,
 * 1.5x and 2x of their defaults (one run per factor, all detectors at once), to show how close to a cliff the
 * defaults sit. What "main thresholds" means per detector:
 * <ul>
 * <li>straggler: the z-score, the clock drop, the activity gap and the step deviation;</li>
 * <li>sync-stall: the minimum spinning and idle stall lengths (at most the 5-minute cap);</li>
 * <li>thermal: the hot samples before firing and the resolve margin; the cold-plate excess (host health);</li>
 * <li>cooling: the flow and pressure loss depth (1 - fraction), the supply rise, the samples before firing;</li>
 * <li>power: the PDU headroom left at warning and critical (1 - fraction);</li>
 * <li>silence: the silence timeout; gpu-lost: the good samples before resolving; xid: the hold time.</li>
 * </ul>
 */
public final class Sensitivity {

    public static final double[] FACTORS = {0.5, 0.75, 1.0, 1.5, 2.0};

    /** Per detector and factor, F1 and page precision. */
    public record Cell(double f1, double pagePrecision, int pages, int falsePages) {}

    public record Table(Map<String, Map<Double, Cell>> cells) {}

    private Sensitivity() {}

    public static Table run(List<Scenario> suite, PrintStream progress) throws Exception {
        Map<String, Map<Double, Cell>> cells = new LinkedHashMap<>();
        for (double f : FACTORS) {
            progress.printf("Sensitivity: thresholds at %.2fx...%n", f);
            Scorecard.Result r = Scorecard.run(suite, scaled(Scorecard.scored(DetectionConfig.defaults()), f));
            for (Scorer.Row row : r.rows()) {
                if (row.baseline()) continue;
                cells.computeIfAbsent(row.detector(), k -> new LinkedHashMap<>())
                        .put(f, new Cell(row.f1(), row.pagePrecision(), row.pages(), row.falsePages()));
            }
        }
        return new Table(cells);
    }

    /** The defaults with every detector's main thresholds multiplied by {@code f}. */
    public static DetectionConfig scaled(DetectionConfig d, double f) {
        StragglerConfig s = d.straggler();
        StragglerConfig straggler = new StragglerConfig(s.minRanks(), s.warmupWindows(), s.zThreshold() * f,
                s.minClockDrop() * f, s.minActivityGapPct() * f, s.minStepDeviation() * f, s.baselineAlpha(), s.fireWindows(), s.historyWindows(), s.resolveWindows(), s.hostFraction());
        SyncStallConfig st = d.stall();
        SyncStallConfig stall = new SyncStallConfig(st.stallFraction(), st.maxTensorPct(), st.pausedPowerFraction(),
                st.maxLinkBps(), st.spinningUtilPct(), atMost(times(st.minSpinningStall(), f), st.maxStall()),
                atMost(times(st.minIdleStall(), f), st.maxStall()), st.learnedFactor(), st.maxStall(),
                st.resumeWindows());
        ThermalConfig t = d.thermal();
        ThermalConfig thermal = new ThermalConfig(count(t.fireAfterSamples(), f), t.resolveAfterSamples(),
                t.resolveMarginC() * f, t.defaultSlowdownC(), t.entityTimeout());
        HostHealthConfig h = d.health();
        HostHealthConfig health = new HostHealthConfig(times(h.silenceTimeout(), f), h.entityTimeout(),
                count(h.lostResolveSamples(), f), times(h.xidHold(), f), h.coldPlateDeltaC() * f,
                h.similarPowerFraction(), h.coldPlateFireSamples(), h.coldPlateResolveSamples(),
                h.coldPlateWarmupSamples());
        FacilityConfig c = d.facility();
        FacilityConfig facility = new FacilityConfig(count(c.fireSamples(), f), c.resolveSamples(), c.warmupSamples(),
                1 - (1 - c.flowLossFraction()) * f, 1 - (1 - c.pressureLossFraction()) * f, c.supplyRiseC() * f,
                c.supplyMaxC(), c.inletAirMaxC(), 1 - (1 - c.pduWarnFraction()) * f,
                Math.max(1 - (1 - c.pduWarnFraction()) * f, 1 - (1 - c.pduCriticalFraction()) * f),
                c.entityTimeout());
        return new DetectionConfig(d.topics(), d.maxOutOfOrderness(), d.idleTimeout(), d.maxFutureSkew(), thermal,
                d.jobWindow(), d.jobTimeout(), straggler, stall, health, facility, d.incidentGrace(), d.lateTolerance(),
                d.incidentHold(), d.repageQuiet());
    }

    private static Duration times(Duration d, double f) {
        return Duration.ofMillis(Math.round(d.toMillis() * f));
    }

    private static Duration atMost(Duration d, Duration max) {
        return d.compareTo(max) > 0 ? max : d;
    }

    private static int count(int n, double f) {
        return Math.max(1, (int) Math.round(n * f));
    }

    public static void print(Table t, PrintStream out) {
        out.println();
        out.println("Sensitivity: F1 / page precision with every main threshold scaled");
        StringBuilder head = new StringBuilder(String.format("%-11s", "detector"));
        for (double f : FACTORS) head.append(String.format(" %13s", f + "x"));
        out.println(head);
        t.cells().forEach((detector, byFactor) -> {
            StringBuilder line = new StringBuilder(String.format("%-11s", detector));
            for (double f : FACTORS) {
                Cell c = byFactor.get(f);
                line.append(c == null ? String.format(" %13s", "-")
                        : String.format(" %6.2f / %4.2f", c.f1(), c.pagePrecision()));
            }
            out.println(line);
        });
    }

    public static String json(Table t) {
        ArrayNode array = WireFormat.mapper().createArrayNode();
        t.cells().forEach((detector, byFactor) -> byFactor.forEach((f, c) -> {
            ObjectNode o = array.addObject();
            o.put("detector", detector);
            o.put("factor", f);
            o.put("f1", Math.round(c.f1() * 1000) / 1000.0);
            o.put("pagePrecision", Math.round(c.pagePrecision() * 1000) / 1000.0);
            o.put("pages", c.pages());
            o.put("falsePages", c.falsePages());
        }));
        return array.toPrettyString();
    }
}
