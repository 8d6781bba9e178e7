package io.vigil.evaluation.scorecard;

import io.vigil.evaluation.field.FieldFleet;
import io.vigil.evaluation.field.FieldWorkload;
import io.vigil.evaluation.field.FieldWorkload.Fault;
import io.vigil.evaluation.field.FieldWorkload.Job;
import io.vigil.evaluation.field.FieldWorkload.Nuisances;
import io.vigil.evaluation.field.FieldWorkload.Reason;
import io.vigil.evaluation.field.FieldWorkload.Shape;
import io.vigil.evaluation.scorecard.Scenario.Expectation;
import io.vigil.model.AlertType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Scenarios drawn, for a seed, from a declared space instead of written one by one: the field fleet
 * ({@link FieldFleet}, written apart from the simulator and the detectors) with a fault of a drawn kind, size, onset
 * and clock-event reason, on a drawn layout, under drawn nuisances. Every size ladder runs from below each
 * detector's threshold to well above it, so that recall can be read as a curve over the size.
 *
 * <p>The space:
 * <ul>
 * <li>fleet: 8 or 16 hosts (8 GPUs each, 4 per rack, two CDUs); a synchronous job ({@code job-a}) on the first
 * 2-8 hosts, a job with step events ({@code job-b}) on the next 2-6 (bimodal, every third host slower, on 6), the
 * rest idle; checkpoints every 60-150 s or never;</li>
 * <li>fault (one per scenario, or none): {@link Kind};</li>
 * <li>onset: a step, or a ramp over 60-120 s (for the kinds that have a size);</li>
 * <li>nuisances, each on or off: clock offsets up to ±3 s, bursty delivery (3 s late every 3 s), omitted fields,
 * bimodal group switches, gaps of 0-10 % of the GPU samples, constant delivery delays up to 5 s, whole-job
 * slowdowns.</li>
 * </ul>
 */
public final class GeneratedSuite {

    /** The kinds of fault, each with the size it is swept over. */
    public enum Kind {
        /** one rank of job-a loses this share of its SM clock, with a drawn reason (or none); expect a STRAGGLER */
        STRAGGLER_CLOCK("SM clock lost", "", 0.03, 0.05, 0.07, 0.10, 0.15, 0.20, 0.30),
        /** one rank of job-b takes this much longer per step (step events); expect a STRAGGLER */
        STRAGGLER_STEP("step time added", "", 0.05, 0.10, 0.20, 0.50, 1.0, 3.0),
        /** one GPU runs this many °C hotter than usual at its power, below slowdown; expect THERMAL */
        COLD_PLATE("°C hotter than usual", "°C", 2, 4, 6, 8, 12, 18),
        /** one GPU heats past its slowdown temperature; expect THERMAL */
        OVERHEATING("peak °C", "°C", 92),
        /** a CDU loses this share of its flow; expect COOLING */
        CDU_FLOW_LOSS("flow lost", "", 0.05, 0.10, 0.20, 0.30, 0.45, 0.60),
        /** a host sends nothing for this many seconds; expect SILENT for the host */
        HOST_DOWN("seconds down", "s", 10, 20, 30, 60, 120),
        /** no fault: every page is a false page */
        NONE("", "", 0);

        public final String sizeMeaning;
        public final String unit;
        public final double[] ladder;

        Kind(String sizeMeaning, String unit, double... ladder) {
            this.sizeMeaning = sizeMeaning;
            this.unit = unit;
            this.ladder = ladder;
        }
    }

    /** One drawn scenario and where in the space it lies. */
    public record Case(Scenario scenario, Kind kind, double magnitude, boolean ramp, Reason reason,
                       String nuisances) {}

    static final Duration LENGTH = Duration.ofMinutes(5);
    static final Duration GRACE = Duration.ofSeconds(60);

    private GeneratedSuite() {}

    /** {@code n} scenarios for {@code seed}: the same seed, the same scenarios. */
    public static List<Case> draw(int n, long seed) {
        if (n < 1) throw new IllegalArgumentException("--generated needs at least one scenario");
        Random r = new Random(seed);
        List<Case> out = new ArrayList<>();
        Kind[] kinds = Kind.values();
        for (int i = 0; i < n; i++) {
            // Every kind in turn, so that a small draw still covers them all; the rest is drawn.
            Kind kind = kinds[i % kinds.length];
            out.add(draw(kind, i, seed, r));
        }
        return List.copyOf(out);
    }

    private static Case draw(Kind kind, int index, long seed, Random r) {
        int hosts = r.nextBoolean() ? 8 : 16;
        int aHosts = 2 + r.nextInt(hosts == 8 ? 3 : 7);                 // 2-4 or 2-8
        int bHosts = Math.min(hosts - aHosts, 2 + r.nextInt(hosts == 8 ? 2 : 5));
        int checkpointEvery = r.nextInt(3) == 0 ? 0 : 60 + r.nextInt(91);
        List<Job> jobs = new ArrayList<>();
        jobs.add(new Job("job-a", 0, aHosts, r.nextInt(10), 15 + r.nextInt(20), checkpointEvery,
                checkpointEvery == 0 ? 0 : 10 + r.nextInt(15), 700 + r.nextInt(500), false, Shape.UNIFORM));
        if (bHosts >= 2) {
            // Bimodal (every third host slower) only where the slow group spans two hosts or more: a single slow host
            // from the job's start is as much a slow host as a job's structure, and no label could say which.
            jobs.add(new Job("job-b", aHosts, bHosts, r.nextInt(10), 15 + r.nextInt(15), 0, 0, 600 + r.nextInt(400),
                    true, bHosts >= 6 ? Shape.BIMODAL : Shape.UNIFORM));
        }
        Nuisances nuisances = new Nuisances(r.nextBoolean(), r.nextBoolean(), r.nextBoolean(), r.nextBoolean(),
                new double[] {0, 0.02, 0.05, 0.10}[r.nextInt(4)], new long[] {0, 1000, 3000, 5000}[r.nextInt(4)],
                r.nextBoolean());

        double magnitude = kind.ladder[r.nextInt(kind.ladder.length)];
        boolean ramp = kind != Kind.HOST_DOWN && kind != Kind.OVERHEATING && kind != Kind.NONE && r.nextInt(10) < 3;
        int rampS = ramp ? 60 + r.nextInt(61) : 0;
        int start = 100 + r.nextInt(61);
        // A ramped fault holds its full size for at least a minute, so that its size is what was reached.
        int duration = Math.max(90 + r.nextInt(61), rampS + 60);
        Reason reason = null;
        List<Fault> faults = new ArrayList<>();
        List<Expectation> expected = new ArrayList<>();
        List<Expectation> allowed = new ArrayList<>();
        Duration from = Duration.ofSeconds(start);
        Duration until = Duration.ofSeconds(start + duration).plus(GRACE);
        String name;
        switch (kind) {
            case STRAGGLER_CLOCK -> {
                int h = r.nextInt(aHosts), g = r.nextInt(8);
                reason = Reason.values()[r.nextInt(Reason.values().length)];
                faults.add(new Fault(Fault.Kind.THROTTLED_GPU, h, g, null, start, duration, magnitude, rampS, reason));
                expected.add(new Expectation(AlertType.STRAGGLER, map("job", "job-a", "rank", String.valueOf(h * 8 + g)),
                        from, until));
                name = "straggler-clock";
            }
            case STRAGGLER_STEP -> {
                if (bHosts < 2) return draw(kind, index, seed, r); // needs job-b: draw the layout again
                int h = aHosts + r.nextInt(bHosts), g = r.nextInt(8);
                faults.add(new Fault(Fault.Kind.SLOW_WORKER, h, g, null, start, duration, magnitude, rampS, null));
                expected.add(new Expectation(AlertType.STRAGGLER,
                        map("job", "job-b", "rank", String.valueOf((h - aHosts) * 8 + g)), from, until));
                allowed.add(new Expectation(AlertType.STRAGGLER, map("job", "job-b", "host", FieldFleet.host(h)), from,
                        until));
                name = "straggler-step";
            }
            case COLD_PLATE -> {
                int h = r.nextInt(hosts), g = r.nextInt(8);
                faults.add(new Fault(Fault.Kind.COLD_PLATE, h, g, null, start, duration, magnitude, rampS, null));
                expected.add(new Expectation(AlertType.THERMAL, map("host", FieldFleet.host(h), "gpu",
                        String.valueOf(g)), from, until));
                name = "cold-plate";
            }
            case OVERHEATING -> {
                int h = r.nextInt(hosts), g = r.nextInt(8);
                faults.add(new Fault(Fault.Kind.OVERHEATING_GPU, h, g, null, start, duration, magnitude, 0, null));
                expected.add(new Expectation(AlertType.THERMAL, map("host", FieldFleet.host(h), "gpu",
                        String.valueOf(g)), from, until));
                allowed.add(new Expectation(AlertType.STRAGGLER, map("host", FieldFleet.host(h)), from, until));
                allowed.add(new Expectation(AlertType.STRAGGLER, map(), from, until));
                name = "overheating";
            }
            case CDU_FLOW_LOSS -> {
                String cdu = r.nextBoolean() ? "CDU-A" : "CDU-B";
                faults.add(new Fault(Fault.Kind.CDU_FLOW_LOSS, -1, -1, cdu, start, duration, magnitude, rampS, null));
                expected.add(new Expectation(AlertType.COOLING, map("device", cdu), from, until));
                allowed.add(new Expectation(AlertType.THERMAL, map(), from, until));
                allowed.add(new Expectation(AlertType.STRAGGLER, map(), from, until));
                name = "cdu-flow";
            }
            case HOST_DOWN -> {
                int h = r.nextInt(hosts);
                duration = (int) magnitude;
                until = Duration.ofSeconds(start + duration).plus(GRACE);
                faults.add(new Fault(Fault.Kind.HOST_DOWN, h, -1, null, start, duration));
                expected.add(new Expectation(AlertType.SILENT, map("host", FieldFleet.host(h), "scope", "host"), from,
                        until));
                allowed.add(new Expectation(AlertType.SILENT, map("host", FieldFleet.host(h)), from, until));
                // The job on a silent host loses ranks: what the job-level detectors make of it is no false page.
                allowed.add(new Expectation(AlertType.STRAGGLER, map(), from, until));
                allowed.add(new Expectation(AlertType.SYNC_STALL, map(), from, until));
                name = "host-down";
            }
            default -> name = "quiet";
        }
        String nuisanceText = describe(nuisances);
        String scenarioName = String.format("gen%d-%03d-%s", seed, index, name);
        String description = String.format("%s %s%s%s; %d hosts, job-a on %d, job-b on %d; %s", kind,
                kind == Kind.NONE ? "" : fmt(magnitude) + kind.unit + " (" + kind.sizeMeaning + ")",
                ramp ? ", ramped over " + rampS + " s" : "", reason == null ? "" : ", reason " + reason, hosts,
                aHosts, bHosts, nuisanceText);
        Scenario s = Scenario.field(scenarioName, description, LENGTH,
                new FieldWorkload(hosts, jobs, nuisances, faults), expected, allowed);
        return new Case(s, kind, magnitude, ramp, reason, nuisanceText);
    }

    private static String describe(Nuisances n) {
        List<String> on = new ArrayList<>();
        if (n.clockOffsets()) on.add("clock offsets");
        if (n.bursty()) on.add("bursts");
        if (n.omitFields()) on.add("omitted fields");
        if (n.groupSwitches()) on.add("group switches");
        if (n.gapFraction() > 0) on.add(Math.round(n.gapFraction() * 100) + "% gaps");
        if (n.maxDelayMs() > 0) on.add("delays to " + n.maxDelayMs() / 1000 + " s");
        if (n.jobSlowdowns()) on.add("job slowdowns");
        return on.isEmpty() ? "no nuisance" : String.join(", ", on);
    }

    /** Whether the scenario was drawn here (its name says so). */
    static boolean isGenerated(Scenario s) {
        return s.name().startsWith("gen") && s.name().matches("gen-?\\d+-\\d{3,}-.*");
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** The sizes of every kind, for the curves. */
    public static Map<Kind, double[]> ladders() {
        Map<Kind, double[]> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) if (k != Kind.NONE) m.put(k, k.ladder.clone());
        return m;
    }

    private static Map<String, String> map(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }
}
