package io.vigil.evaluation.scorecard;

import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scores alerts against the scenarios' labels. An alert episode (fingerprint and start; later updates of the same
 * episode are not counted again) is a true positive when it matches an expected finding of its scenario, by type
 * and labels, detected between the fault's start and its end plus grace; it is ignored when it matches an allowed
 * consequence; otherwise it is a false positive. Recall counts expected findings with at least one match; latency
 * runs from the fault's start to the first match's {@code detectedAt}. A page is a root alert (label
 * {@code root=true}) of severity WARNING or CRITICAL; a false page is one no fault of its scenario explains. Page
 * precision is the share of pages a fault explains; false pages are also given per 1,000 GPU-hours of telemetry. An
 * episode is unresolved when no RESOLVED event came while its scenario ran (the end of the input, which closes
 * everything, does not count); for found faults, the time from the end of the scenario's faults to the alert's
 * RESOLVED event is the resolution time.
 */
public final class Scorer {

    /** One detector's row of the scorecard. */
    public record Row(String detector, boolean baseline, int expected, int found, int truePositives,
                      int falsePositives, double precision, double recall, double f1, Double latencyP50Seconds,
                      Double latencyP95Seconds, int incidents, int pages, int falsePages, double pagePrecision,
                      double falsePagesPer1kGpuHours, int unresolved, Double resolveP95Seconds) {}

    /**
     * What one scenario got: pages, which expected findings were missed, which alerts nothing explains, and which
     * episodes were still firing when the scenario ended.
     */
    public record ScenarioResult(String scenario, boolean negative, int pages, int falsePositives,
                                 List<String> missed, List<String> unexpected, List<String> unresolved,
                                 double gpuHours, List<String> found, List<Double> latencies) {}

    /** The largest clock offset of a scenario's hosts (the field fleet's ±3 s). */
    static final long CLOCK_OFFSET_MS = 3_000;

    public static final Map<AlertType, String> DETECTORS = new LinkedHashMap<>();

    static {
        DETECTORS.put(AlertType.STRAGGLER, "straggler");
        DETECTORS.put(AlertType.SYNC_STALL, "sync-stall");
        DETECTORS.put(AlertType.THERMAL, "thermal");
        DETECTORS.put(AlertType.COOLING, "cooling");
        DETECTORS.put(AlertType.LEAK, "leak");
        DETECTORS.put(AlertType.POWER, "power");
        DETECTORS.put(AlertType.SILENT, "silence");
        DETECTORS.put(AlertType.GPU_LOST, "gpu-lost");
        DETECTORS.put(AlertType.XID, "xid");
    }

    private final List<Row> rows = new ArrayList<>();
    private final List<ScenarioResult> scenarios = new ArrayList<>();

    public Scorer(List<Scenario> suite, List<AlertEvent> alerts, boolean baseline) {
        Map<String, List<AlertEvent>> byCluster = new HashMap<>();
        Map<String, Long> resolvedAt = new HashMap<>();
        for (AlertEvent a : alerts) {
            if (a.state() == AlertEvent.State.FIRING) {
                byCluster.computeIfAbsent(a.labels().get("cluster"), k -> new ArrayList<>()).add(a);
            } else {
                long at = (a.detectedAt() != null ? a.detectedAt() : a.endsAt()).toEpochMilli();
                resolvedAt.merge(a.fingerprint() + "@" + a.startsAt(), at, Math::min);
            }
        }
        // expected, found, tp, fp, incidents, pages, false pages, unresolved
        Map<AlertType, int[]> counts = new HashMap<>();
        Map<AlertType, List<Double>> latencies = new HashMap<>();
        Map<AlertType, List<Double>> resolutions = new HashMap<>();
        for (AlertType t : DETECTORS.keySet()) {
            counts.put(t, new int[8]);
            latencies.put(t, new ArrayList<>());
            resolutions.put(t, new ArrayList<>());
        }
        double gpuHours = 0;
        for (Scenario s : suite) {
            gpuHours += s.gpuHours();
            long end = ScenarioFeed.T0 + s.length().toMillis();
            List<String> unresolved = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            List<AlertEvent> episodes = new ArrayList<>();
            for (AlertEvent a : byCluster.getOrDefault(s.name(), List.of())) {
                // After its scenario's end a cluster sends nothing while longer scenarios run on: what is detected
                // then (its hosts falling silent) is the end of the scenario, not a finding.
                long detectedAt = (a.detectedAt() != null ? a.detectedAt() : a.startsAt()).toEpochMilli();
                if (detectedAt > end) continue;
                if (seen.add(a.fingerprint() + "@" + a.startsAt())) episodes.add(a);
            }
            int pages = 0, fps = 0;
            List<String> unexpected = new ArrayList<>();
            Map<Scenario.Expectation, Long> firstMatch = new HashMap<>();
            for (AlertEvent a : episodes) {
                int[] c = counts.get(a.type());
                if (c == null) continue;
                boolean root = io.vigil.model.IncidentLabels.isRoot(a.labels());
                if (root) c[4]++;
                if (root && a.severity() != AlertEvent.Severity.INFO) {
                    c[5]++;
                    pages++;
                }
                long detected = (a.detectedAt() != null ? a.detectedAt() : a.startsAt()).toEpochMilli();
                // Resolved while the scenario ran: the end of the input (which closes everything) does not count.
                Long resolved = resolvedAt.get(a.fingerprint() + "@" + a.startsAt());
                if (resolved == null || resolved > end) {
                    c[7]++;
                    unresolved.add(a.type() + " " + a.labels().get("host") + "/" + a.labels().get("rank") + ": "
                            + a.summary());
                }
                Scenario.Expectation hit = null;
                for (Scenario.Expectation e : s.expected()) {
                    if (matches(e, a, detected)) hit = e;
                }
                if (hit != null) {
                    c[2]++;
                    firstMatch.merge(hit, detected, Math::min);
                    // How long after its cause ended the alert resolved (faults that end before the scenario does).
                    long causeEnd = ScenarioFeed.T0 + s.faultsEndMs();
                    if (resolved != null && resolved <= end && causeEnd < end) {
                        resolutions.get(a.type()).add(Math.max(0, resolved - causeEnd) / 1000.0);
                    }
                    continue;
                }
                boolean allowed = false;
                for (Scenario.Expectation e : s.allowed()) {
                    if (matches(e, a, detected)) allowed = true;
                }
                if (!allowed) {
                    c[3]++;
                    fps++;
                    if (root && a.severity() != AlertEvent.Severity.INFO) c[6]++;
                    unexpected.add(a.type() + " " + a.labels() + ": " + a.summary());
                }
            }
            List<String> missed = new ArrayList<>();
            List<String> found = new ArrayList<>();
            List<Double> scenarioLatencies = new ArrayList<>();
            for (Scenario.Expectation e : s.expected()) {
                counts.get(e.type())[0]++;
                Long at = firstMatch.get(e);
                if (at == null) {
                    missed.add(e.type() + " " + e.labels());
                } else {
                    counts.get(e.type())[1]++;
                    double latency = Math.max(0, at - ScenarioFeed.T0 - e.from().toMillis()) / 1000.0;
                    latencies.get(e.type()).add(latency);
                    scenarioLatencies.add(latency);
                    found.add(String.format("%s %s in %.1f s", e.type(), e.labels(), latency));
                }
            }
            scenarios.add(new ScenarioResult(s.name(), s.negative(), pages, fps, missed, unexpected, unresolved,
                    s.gpuHours(), found, scenarioLatencies));
        }
        for (Map.Entry<AlertType, String> d : DETECTORS.entrySet()) {
            int[] c = counts.get(d.getKey());
            double precision = c[2] + c[3] == 0 ? (c[0] == 0 ? 1 : 0) : c[2] / (double) (c[2] + c[3]);
            double recall = c[0] == 0 ? 1 : c[1] / (double) c[0];
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            List<Double> l = latencies.get(d.getKey());
            // Page precision: pages a fault explains (expected or an allowed consequence) over all pages.
            double pagePrecision = c[5] == 0 ? (c[0] == 0 ? 1 : 0) : (c[5] - c[6]) / (double) c[5];
            rows.add(new Row(d.getValue(), baseline, c[0], c[1], c[2], c[3], precision, recall, f1,
                    percentile(l, 0.5), percentile(l, 0.95), c[4], c[5], c[6], pagePrecision,
                    gpuHours == 0 ? 0 : c[6] * 1000.0 / gpuHours, c[7], percentile(resolutions.get(d.getKey()), 0.95)));
        }
    }

    public List<Row> rows() {
        return rows;
    }

    public List<ScenarioResult> scenarios() {
        return scenarios;
    }

    private static boolean matches(Scenario.Expectation e, AlertEvent a, long detectedMs) {
        if (e.type() != a.type()) return false;
        for (Map.Entry<String, String> l : e.labels().entrySet()) {
            if (!l.getValue().equals(a.labels().get(l.getKey()))) return false;
        }
        // Detection times are the reporting host's clock, which may run up to 3 s behind the fault's true start.
        long from = ScenarioFeed.T0 + e.from().toMillis() - CLOCK_OFFSET_MS;
        long until = ScenarioFeed.T0 + e.until().toMillis();
        return detectedMs >= from && detectedMs <= until;
    }

    /** Nearest-rank percentile; null when there is nothing to rank. */
    public static Double percentile(List<Double> values, double p) {
        if (values.isEmpty()) return null;
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int rank = (int) Math.ceil(p * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
