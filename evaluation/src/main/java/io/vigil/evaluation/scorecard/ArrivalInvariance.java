package io.vigil.evaluation.scorecard;

import io.vigil.detection.DetectionConfig;
import io.vigil.model.AlertEvent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether the detection job says the same thing about a recording however it arrives: the suite run once per
 * {@link Arrival} mode, and per scenario the alert episodes compared. Two episodes agree when they have the same
 * fingerprint (type and entity) and start within {@link #START_TOLERANCE_MS} of each other; a scenario agrees when
 * every mode's episodes pair up with real time's.
 */
public final class ArrivalInvariance {

    /** Start times within this of each other are the same episode (a few of the job's one-second windows). */
    static final long START_TOLERANCE_MS = 5_000;

    /** Per scenario, the episodes one mode has and real time has not (and the reverse). */
    public record Difference(String scenario, Arrival mode, List<String> onlyInMode, List<String> onlyRealTime) {}

    /** The outcome: how many scenarios agree across every mode, and where they do not. */
    public record Result(int scenarios, int agreeing, List<Difference> differences,
                         Map<Arrival, Scorecard.Detection> detections) {
        public double share() {
            return scenarios == 0 ? 1 : (double) agreeing / scenarios;
        }
    }

    private ArrivalInvariance() {}

    public static Result run(List<Scenario> suite, DetectionConfig config, PrintStream progress) throws Exception {
        Map<Arrival, Scorecard.Detection> detections = new EnumMap<>(Arrival.class);
        for (Arrival mode : Arrival.values()) {
            if (progress != null) progress.printf("Arrival %s …%n", mode);
            detections.put(mode, Scorecard.detect(suite, config, mode));
        }
        return compare(suite, detections);
    }

    static Result compare(List<Scenario> suite, Map<Arrival, Scorecard.Detection> detections) {
        Map<Arrival, Map<String, List<long[]>>> episodes = new EnumMap<>(Arrival.class);
        Map<Arrival, Map<String, List<String>>> keys = new EnumMap<>(Arrival.class);
        detections.forEach((mode, d) -> {
            Map<String, List<String>> byScenario = new TreeMap<>();
            for (AlertEvent a : d.alerts()) {
                if (a.state() != AlertEvent.State.FIRING) continue;
                String k = a.fingerprint() + " " + a.type() + " " + a.labels().get("host") + "/"
                        + a.labels().getOrDefault("gpu", a.labels().getOrDefault("job", a.labels().get("device")))
                        + "@" + a.startsAt().toEpochMilli() + " " + a.summary();
                byScenario.computeIfAbsent(a.labels().get("cluster"), c -> new ArrayList<>()).add(k);
            }
            keys.put(mode, byScenario);
        });
        List<Difference> differences = new ArrayList<>();
        int agreeing = 0;
        for (Scenario s : suite) {
            boolean agrees = true;
            List<String> real = distinct(keys.get(Arrival.REAL_TIME).getOrDefault(s.name(), List.of()));
            for (Arrival mode : detections.keySet()) {
                if (mode == Arrival.REAL_TIME) continue;
                List<String> other = distinct(keys.get(mode).getOrDefault(s.name(), List.of()));
                List<String> onlyMode = unmatched(other, real);
                List<String> onlyReal = unmatched(real, other);
                if (!onlyMode.isEmpty() || !onlyReal.isEmpty()) {
                    agrees = false;
                    differences.add(new Difference(s.name(), mode, onlyMode, onlyReal));
                }
            }
            if (agrees) agreeing++;
        }
        return new Result(suite.size(), agreeing, differences, detections);
    }

    /** Episode keys ({@code fingerprint …@start}), one per episode. */
    private static List<String> distinct(List<String> keys) {
        return new ArrayList<>(new TreeSet<>(keys));
    }

    /** The episodes of {@code a} without a partner in {@code b}: same fingerprint, start within the tolerance. */
    private static List<String> unmatched(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>();
        List<String> pool = new ArrayList<>(b);
        for (String k : a) {
            String fp = k.substring(0, k.indexOf(' '));
            long start = startOf(k);
            String partner = null;
            for (String o : pool) {
                if (o.startsWith(fp + " ")
                        && Math.abs(startOf(o) - start) <= START_TOLERANCE_MS) {
                    partner = o;
                    break;
                }
            }
            if (partner == null) out.add(k.substring(k.indexOf(' ') + 1));
            else pool.remove(partner);
        }
        return out;
    }

    /** The start of an episode key {@code fingerprint type entity@start summary}. */
    private static long startOf(String key) {
        int at = key.indexOf('@', key.indexOf(' ', key.indexOf(' ') + 1));
        int end = key.indexOf(' ', at);
        return Long.parseLong(key.substring(at + 1, end < 0 ? key.length() : end));
    }

    public static void print(Result r, PrintStream out) {
        out.printf("Arrival invariance: %d of %d scenarios give the same alerts in every mode (%.2f)%n", r.agreeing(),
                r.scenarios(), r.share());
        r.detections().forEach((mode, d) -> out.printf("  %-9s %d alert events, %d dead letters%n", mode,
                d.alerts().size(), d.deadLetters()));
        for (Difference d : r.differences()) {
            out.printf("  %s, %s: %d only there, %d only in real time%n", d.scenario(), d.mode(), d.onlyInMode().size(),
                    d.onlyRealTime().size());
            d.onlyInMode().stream().limit(5).forEach(k -> out.println("      + " + k));
            d.onlyRealTime().stream().limit(5).forEach(k -> out.println("      - " + k));
        }
    }
}
