package io.vigil.evaluation.scorecard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.detection.DetectionConfig;
import io.vigil.evaluation.scorecard.GeneratedSuite.Case;
import io.vigil.evaluation.scorecard.GeneratedSuite.Kind;
import io.vigil.model.WireFormat;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vigil scorecard --generated N --seed S [--json]}: {@link GeneratedSuite}'s scenarios through the
 * production detection job, once per {@link Arrival} mode. Reports, per fault kind, recall as a curve over the
 * fault's size and the smallest size from which recall stays at or above {@value #SENSITIVITY_RECALL} (the
 * detector's sensitivity on this draw); and overall: recall at or above each kind's sensitivity, page precision,
 * false pages per 1,000 GPU-hours, latency, and the share of scenarios whose alerts agree across arrival modes.
 * Scored on the real-time arrival; the other modes only for agreement.
 */
public final class GeneratedScorecard {

    /** The recall a size must reach, with every larger size, to count as detected. */
    static final double SENSITIVITY_RECALL = 0.95;

    /** One point of a curve: the scenarios of one kind and size, and how many had every expectation found. */
    public record Point(double magnitude, int scenarios, int found) {
        public double recall() {
            return scenarios == 0 ? 0 : (double) found / scenarios;
        }
    }

    /** One kind's curve, its sensitivity (null: no size reached it) and its latencies. */
    public record Curve(Kind kind, List<Point> points, Double sensitivity, Double latencyP50Seconds,
                        Double latencyP95Seconds) {}

    /** The whole run. */
    public record Report(long seed, int scenarios, double gpuHours, List<Curve> curves, double recall,
                         double recallAllSizes, int pages, int falsePages, double pagePrecision,
                         double falsePagesPer1kGpuHours, double arrivalInvariance, List<Arrival> modes,
                         List<String> falsePageExamples, List<String> missedExamples,
                         List<ArrivalInvariance.Difference> differences, double seconds) {}

    private GeneratedScorecard() {}

    public static Report run(int n, long seed, List<Arrival> modes, PrintStream progress) throws Exception {
        long t0 = System.nanoTime();
        List<Case> cases = GeneratedSuite.draw(n, seed);
        List<Scenario> suite = cases.stream().map(Case::scenario).toList();
        DetectionConfig config = Scorecard.scored(DetectionConfig.defaults());
        Map<Arrival, Scorecard.Detection> detections = new EnumMap<>(Arrival.class);
        for (Arrival mode : modes) {
            if (progress != null) progress.printf("Generated scorecard: %d scenarios, seed %d, arrival %s …%n", n, seed,
                    mode);
            detections.put(mode, Scorecard.detect(suite, config, mode));
        }
        Scorecard.Detection real = detections.getOrDefault(Arrival.REAL_TIME, detections.values().iterator().next());
        Scorer scorer = new Scorer(suite, real.alerts(), false);
        ArrivalInvariance.Result invariance = ArrivalInvariance.compare(suite, detections);
        return report(seed, cases, scorer, invariance, modes, (System.nanoTime() - t0) / 1e9);
    }

    static Report report(long seed, List<Case> cases, Scorer scorer, ArrivalInvariance.Result invariance,
                         List<Arrival> modes, double seconds) {
        Map<String, Scorer.ScenarioResult> results = new HashMap<>();
        for (Scorer.ScenarioResult r : scorer.scenarios()) results.put(r.scenario(), r);
        List<Curve> curves = new ArrayList<>();
        int atOrAbove = 0, foundAtOrAbove = 0, positives = 0, foundAll = 0;
        for (Kind kind : Kind.values()) {
            if (kind == Kind.NONE) continue;
            List<Point> points = new ArrayList<>();
            List<Double> latencies = new ArrayList<>();
            for (double m : kind.ladder) {
                int count = 0, found = 0;
                for (Case c : cases) {
                    if (c.kind() != kind || c.magnitude() != m) continue;
                    Scorer.ScenarioResult r = results.get(c.scenario().name());
                    count++;
                    if (r.missed().isEmpty()) found++;
                    latencies.addAll(r.latencies());
                }
                points.add(new Point(m, count, found));
            }
            Double sensitivity = sensitivity(points);
            for (Point p : points) {
                positives += p.scenarios();
                foundAll += p.found();
                if (sensitivity != null && p.magnitude() >= sensitivity) {
                    atOrAbove += p.scenarios();
                    foundAtOrAbove += p.found();
                }
            }
            curves.add(new Curve(kind, points, sensitivity, Scorer.percentile(latencies, 0.5),
                    Scorer.percentile(latencies, 0.95)));
        }
        int pages = 0, falsePages = 0;
        for (Scorer.Row row : scorer.rows()) {
            pages += row.pages();
            falsePages += row.falsePages();
        }
        double gpuHours = cases.stream().mapToDouble(c -> c.scenario().gpuHours()).sum();
        List<String> falsePageExamples = new ArrayList<>();
        List<String> missedExamples = new ArrayList<>();
        // The misses of the largest sizes first: those say most about a detector.
        List<Case> bySize = new ArrayList<>(cases);
        bySize.sort(java.util.Comparator.comparing(Case::kind).thenComparing(Case::magnitude,
                java.util.Comparator.reverseOrder()));
        for (Case c : bySize) {
            Scorer.ScenarioResult r = results.get(c.scenario().name());
            for (String u : r.unexpected()) falsePageExamples.add(c.scenario().name() + ": " + u);
            for (String m : r.missed()) {
                missedExamples.add(c.scenario().name() + " (" + c.scenario().description() + "): missed " + m);
            }
        }
        return new Report(seed, cases.size(), gpuHours, curves,
                atOrAbove == 0 ? 0 : (double) foundAtOrAbove / atOrAbove,
                positives == 0 ? 1 : (double) foundAll / positives, pages, falsePages,
                pages == 0 ? 1 : (double) (pages - falsePages) / pages,
                gpuHours == 0 ? 0 : falsePages * 1000.0 / gpuHours, invariance.share(), modes, falsePageExamples,
                missedExamples, invariance.differences(), seconds);
    }

    /**
     * The smallest size from which recall is at least {@value #SENSITIVITY_RECALL} at that size and every larger
     * one drawn; null when even the largest drawn size misses more.
     */
    static Double sensitivity(List<Point> points) {
        Double best = null;
        for (int i = points.size() - 1; i >= 0; i--) {
            Point p = points.get(i);
            if (p.scenarios() == 0) continue;
            if (p.recall() < SENSITIVITY_RECALL) break;
            best = p.magnitude();
        }
        return best;
    }

    public static void print(Report r, PrintStream out) {
        out.printf("Generated scorecard: %d scenarios (seed %d), %.0f GPU-hours, arrival modes %s, %.0f s%n%n",
                r.scenarios(), r.seed(), r.gpuHours(), r.modes(), r.seconds());
        for (Curve c : r.curves()) {
            out.printf("%-16s sensitivity %-8s latency p50 %s s, p95 %s s   (%s)%n", c.kind(),
                    c.sensitivity() == null ? "none" : GeneratedSuite.fmt(c.sensitivity()) + c.kind().unit,
                    fmt(c.latencyP50Seconds()), fmt(c.latencyP95Seconds()), c.kind().sizeMeaning);
            StringBuilder line = new StringBuilder("    ");
            for (Point p : c.points()) {
                line.append(String.format("%s%s: %s  ", GeneratedSuite.fmt(p.magnitude()), c.kind().unit,
                        p.scenarios() == 0 ? "-" : String.format("%d/%d", p.found(), p.scenarios())));
            }
            out.println(line.toString().stripTrailing());
        }
        out.printf("%nrecall at or above sensitivity %.3f (all sizes %.3f); pages %d, false %d, page precision %.3f, "
                        + "false pages per 1,000 GPU-hours %.2f; arrival invariance %.3f%n", r.recall(),
                r.recallAllSizes(), r.pages(), r.falsePages(), r.pagePrecision(), r.falsePagesPer1kGpuHours(),
                r.arrivalInvariance());
        if (!r.falsePageExamples().isEmpty()) {
            out.println("Alerts no fault explains (first 30):");
            r.falsePageExamples().stream().limit(30).forEach(x -> out.println("  " + x));
        }
        if (!r.missedExamples().isEmpty()) {
            out.println("Missed, largest sizes first (first 40):");
            r.missedExamples().stream().limit(40).forEach(x -> out.println("  " + x));
        }
        for (ArrivalInvariance.Difference d : r.differences().stream().limit(10).toList()) {
            out.printf("  %s differs in %s: %s only there, %s only in real time%n", d.scenario(), d.mode(), d.onlyInMode(),
                    d.onlyRealTime());
        }
    }

    public static String json(Report r) {
        ObjectNode root = WireFormat.mapper().createObjectNode();
        root.put("seed", r.seed());
        root.put("scenarios", r.scenarios());
        ArrayNode modes = root.putArray("arrivalModes");
        r.modes().forEach(m -> modes.add(m.name()));
        ArrayNode curves = root.putArray("curves");
        for (Curve c : r.curves()) {
            ObjectNode o = curves.addObject();
            o.put("kind", c.kind().name());
            o.put("size", c.kind().sizeMeaning);
            if (c.sensitivity() == null) o.putNull("sensitivity");
            else o.put("sensitivity", c.sensitivity());
            putNullable(o, "latencyP50Seconds", c.latencyP50Seconds());
            putNullable(o, "latencyP95Seconds", c.latencyP95Seconds());
            ArrayNode points = o.putArray("points");
            for (Point p : c.points()) {
                ObjectNode x = points.addObject();
                x.put("magnitude", p.magnitude());
                x.put("scenarios", p.scenarios());
                x.put("found", p.found());
                x.put("recall", round(p.recall()));
            }
        }
        ObjectNode overall = root.putObject("overall");
        overall.put("recall", round(r.recall()));
        overall.put("recallAllSizes", round(r.recallAllSizes()));
        overall.put("pages", r.pages());
        overall.put("falsePages", r.falsePages());
        overall.put("pagePrecision", round(r.pagePrecision()));
        overall.put("falsePagesPer1kGpuHours", round(r.falsePagesPer1kGpuHours()));
        overall.put("arrivalInvariance", round(r.arrivalInvariance()));
        overall.put("gpuHours", round(r.gpuHours()));
        return root.toPrettyString();
    }

    private static void putNullable(ObjectNode o, String key, Double v) {
        if (v == null) o.putNull(key);
        else o.put(key, round(v));
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format("%.1f", d);
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }
}
