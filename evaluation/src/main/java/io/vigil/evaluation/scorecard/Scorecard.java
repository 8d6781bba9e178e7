package io.vigil.evaluation.scorecard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.detection.DetectionConfig;
import io.vigil.detection.DetectionJob;
import io.vigil.evaluation.field.FieldSuite;
import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.model.AlertEvent;
import io.vigil.testsupport.CollectingSink;
import io.vigil.model.DeadLetter;
import io.vigil.model.GpuSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./vigil scorecard [--json] [--sensitivity] [--soak-hours H]}: runs every scenario of {@link ScenarioSuite}
 * and {@link FieldSuite} through the real detection job
 * ({@link DetectionJob}, the production graph) on a local Flink MiniCluster, and beside it the static-threshold
 * baseline on the same telemetry; prints per detector precision, recall, F1, detection latency, incidents and pages.
 */
public final class Scorecard {

    /** The whole run's outcome. */
    public record Result(List<Scorer.Row> rows, List<Scorer.ScenarioResult> scenarios, long records,
                         long deadLetters, double seconds) {}

    /** The feed the source reads from; static because the generator runs in this JVM's MiniCluster. */
    private static volatile java.util.Iterator<Arrival.Delivery> feed;
    /** How many records the feed has handed out: where a job restored from a savepoint must go on from. */
    private static final java.util.concurrent.atomic.AtomicLong fed = new java.util.concurrent.atomic.AtomicLong();
    private static final Topics TOPICS = Topics.defaults();

    private Scorecard() {}

    public static Result run(List<Scenario> suite) throws Exception {
        return run(suite, scored(DetectionConfig.defaults()));
    }

    /**
     * The production configuration as the scorecard scores it: with every detector episode its own incident (re-page
     * quiet time 0). The scorecard judges the detectors — what each finds, when, and when it lets go — so it counts
     * a page per episode, an upper bound on what the re-page rule lets through, and sees each resolve when the
     * detector makes it, not the quiet time later; and a scenario's end, where all its hosts fall silent at once,
     * would otherwise continue an incident that resolved minutes before. The rule itself is tested by
     * IncidentCorrelatorTest and on real step times.
     */
    public static DetectionConfig scored(DetectionConfig production) {
        return production.withRepageQuiet(java.time.Duration.ZERO);
    }

    public static Result run(List<Scenario> suite, DetectionConfig config) throws Exception {
        long t0 = System.nanoTime();
        Detection d = detect(suite, config);
        Scorer vigil = new Scorer(suite, d.alerts(), false);
        // The baseline holds every GPU's samples in memory to order them: it is scored on the labelled scenarios,
        // not on a long soak.
        List<Scenario> labelled = suite.stream().filter(s -> s.length().toHours() < 2).toList();
        Scorer baseline = new Scorer(labelled, baseline(labelled), true);
        List<Scorer.Row> rows = new ArrayList<>(vigil.rows());
        rows.addAll(baseline.rows());
        return new Result(rows, vigil.scenarios(), d.records(), d.deadLetters(), (System.nanoTime() - t0) / 1e9);
    }

    /** What the detection job said about the scenarios. */
    public record Detection(List<AlertEvent> alerts, long records, long deadLetters) {}

    /** Runs the scenarios' telemetry through the production detection job on a local MiniCluster. */
    public static Detection detect(List<Scenario> suite) throws Exception {
        return detect(suite, scored(DetectionConfig.defaults()));
    }

    public static Detection detect(List<Scenario> suite, DetectionConfig config) throws Exception {
        return detect(suite, config, Arrival.REAL_TIME);
    }

    /** The same, with the scenarios' records delivered as {@code arrival} delivers them. */
    public static Detection detect(List<Scenario> suite, DetectionConfig config, Arrival arrival) throws Exception {
        long count = ScenarioFeed.count(suite);
        feed = arrival.deliver(new ScenarioFeed(suite), 42);
        fed.set(0);
        DataGeneratorSource<RawTelemetry> source = new DataGeneratorSource<>(
                (GeneratorFunction<Long, RawTelemetry>) Scorecard::record, count,
                TypeInformation.of(RawTelemetry.class));
        CollectingSink<AlertEvent> alerts = new CollectingSink<>();
        CollectingSink<DeadLetter> dead = new CollectingSink<>();
        Configuration conf = new Configuration();
        conf.set(CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
        java.nio.file.Path savepoints = null;
        if (arrival.restartsMidway()) {
            // A savepoint of the whole suite's state is larger than the JobManager keeps in memory.
            savepoints = java.nio.file.Files.createTempDirectory("vigil-scorecard-savepoint");
            conf.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
            conf.set(org.apache.flink.configuration.CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    savepoints.toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        // The clock only judges "too far in the future"; the scenarios run in 2026's future, so set it after them.
        long longest = suite.stream().mapToLong(s -> s.length().toMillis()).max().orElse(0);
        Clock clock = Clock.fixed(Instant.ofEpochMilli(ScenarioFeed.T0 + longest + 86_400_000L), ZoneOffset.UTC);
        new DetectionJob(source, alerts, dead, config, clock).build(env);
        if (!arrival.restartsMidway()) {
            env.execute("vigil-scorecard");
        } else {
            try {
                String savepoint = stopHalfway(env.executeAsync("vigil-scorecard"), count, savepoints);
                Configuration resumed = new Configuration(conf);
                resumed.set(org.apache.flink.configuration.StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
                StreamExecutionEnvironment again = StreamExecutionEnvironment.createLocalEnvironment(1, resumed);
                // The same job graph (its operators' uids) on the same source, which resumes where the savepoint
                // says: record() refuses any other position, so a job that started afresh would fail here.
                new DetectionJob(source, alerts, dead, config, clock).build(again);
                again.execute("vigil-scorecard-resumed");
            } finally {
                try (var files = java.nio.file.Files.walk(savepoints)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        return new Detection(alerts.drain(), count, dead.drain().size());
    }

    /**
     * Waits until half of the {@code count} records have been read, then stops the job with a savepoint; returns its
     * path. Polls the feed's position: this is the harness's wall clock, not the job's time.
     */
    private static String stopHalfway(org.apache.flink.core.execution.JobClient job, long count, java.nio.file.Path dir)
            throws Exception {
        while (fed.get() < count / 2) {
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException("the job ended before it was stopped halfway: "
                        + job.getJobStatus().get());
            }
            Thread.sleep(20);
        }
        String path = job.stopWithSavepoint(false, dir.toUri().toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get();
        job.getJobExecutionResult().get();
        return path;
    }

    private static RawTelemetry record(Long index) {
        // A job restored from a savepoint asks for the record after the last one its savepoint holds: the feed must
        // stand exactly there (an iterator cannot go back).
        if (index != fed.get()) {
            throw new IllegalStateException("the source asks for record " + index + " but the feed stands at "
                    + fed.get());
        }
        fed.incrementAndGet();
        Arrival.Delivery d = feed.next();
        return new RawTelemetry(TOPICS.topicFor(d.record().schema()), d.partition(), index,
                WireFormat.encode(d.record()));
    }

    /** The baseline rules over the same disturbed GPU samples, each GPU's in time order. */
    static List<AlertEvent> baseline(List<Scenario> suite) {
        Map<String, List<GpuSample>> byGpu = new HashMap<>();
        ScenarioFeed.forEachGpuSample(suite, s -> byGpu.computeIfAbsent(s.cluster() + "/" + s.gpuKey(),
                k -> new ArrayList<>()).add(s));
        StaticThresholdBaseline rules = new StaticThresholdBaseline();
        for (List<GpuSample> samples : byGpu.values()) {
            samples.sort(Comparator.comparingLong(GpuSample::ts));
            samples.forEach(rules::accept);
        }
        long end = ScenarioFeed.T0 + suite.stream().mapToLong(s -> s.length().toMillis()).max().orElse(0);
        return rules.finish(end);
    }

    public static void print(Result r, PrintStream out) {
        double gpuHours = r.scenarios().stream().mapToDouble(Scorer.ScenarioResult::gpuHours).sum();
        out.printf("Detection scorecard: %d scenarios, %d records, %.0f GPU-hours, %.0f s (%d dead letters)%n%n",
                r.scenarios().size(), r.records(), gpuHours, r.seconds(), r.deadLetters());
        out.printf("%-11s %-8s %8s %5s %4s %5s %5s %5s %6s %6s %5s %6s %9s %10s %9s%n", "detector", "", "expected",
                "found", "FP", "prec", "rec", "F1", "p50 s", "p95 s", "pages", "p.prec", "false/1kh", "unresolved",
                "resolve s");
        for (Scorer.Row row : r.rows()) {
            out.printf("%-11s %-8s %8d %5d %4d %5.2f %5.2f %5.2f %6s %6s %5d %6.2f %9.1f %10d %9s%n",
                    row.detector(), row.baseline() ? "baseline" : "vigil", row.expected(), row.found(),
                    row.falsePositives(), row.precision(), row.recall(), row.f1(), fmt(row.latencyP50Seconds()),
                    fmt(row.latencyP95Seconds()), row.pages(), row.pagePrecision(), row.falsePagesPer1kGpuHours(),
                    row.unresolved(), fmt(row.resolveP95Seconds()));
        }
        out.println();
        out.println("Per scenario (Vigil): pages, and anything missed, unexpected or left firing");
        for (Scorer.ScenarioResult s : r.scenarios()) {
            out.printf("  %-24s %s pages=%d%s%s%n", s.scenario(), s.negative() ? "negative" : "fault   ", s.pages(),
                    s.found().isEmpty() ? "" : "  found " + String.join("; ", s.found()),
                    s.missed().isEmpty() ? "" : "  MISSED " + s.missed());
            for (String u : s.unexpected()) out.println("      unexpected: " + u);
            for (String u : s.unresolved()) out.println("      still firing at the end: " + u);
        }
    }

    public static String json(Result r) {
        ArrayNode array = WireFormat.mapper().createArrayNode();
        for (Scorer.Row row : r.rows()) {
            ObjectNode o = array.addObject();
            o.put("detector", row.detector());
            o.put("baseline", row.baseline());
            o.put("precision", round(row.precision()));
            o.put("recall", round(row.recall()));
            o.put("f1", round(row.f1()));
            if (row.latencyP50Seconds() == null) o.putNull("latencyP50Seconds");
            else o.put("latencyP50Seconds", round(row.latencyP50Seconds()));
            if (row.latencyP95Seconds() == null) o.putNull("latencyP95Seconds");
            else o.put("latencyP95Seconds", round(row.latencyP95Seconds()));
            o.put("incidents", row.incidents());
            o.put("pages", row.pages());
            o.put("expected", row.expected());
            o.put("found", row.found());
            o.put("falsePositives", row.falsePositives());
            o.put("falsePages", row.falsePages());
            o.put("pagePrecision", round(row.pagePrecision()));
            o.put("falsePagesPer1kGpuHours", round(row.falsePagesPer1kGpuHours()));
            o.put("unresolved", row.unresolved());
            if (row.resolveP95Seconds() == null) o.putNull("resolveP95Seconds");
            else o.put("resolveP95Seconds", round(row.resolveP95Seconds()));
        }
        return array.toPrettyString();
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format("%.1f", d);
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    /** The standard suite: the simulator's scenarios and the independent field scenarios. */
    public static List<Scenario> suite() {
        List<Scenario> all = new ArrayList<>(ScenarioSuite.all());
        all.addAll(FieldSuite.all());
        return all;
    }

    private static long number(String[] args, int i, String option, long min, long max) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a number");
        long v;
        try {
            v = Long.parseLong(args[i]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a whole number: " + args[i]);
        }
        if (v < min || v > max) throw new IllegalArgumentException(option + " must be between " + min + " and " + max);
        return v;
    }

    /**
     * {@code ./vigil scorecard [--json] [--sensitivity] [--soak-hours H] [--arrival] [--generated N [--seed S]
     * [--arrival-modes M,...]]}; returns the exit code.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        boolean json = false, sensitivity = false, arrival = false;
        double soakHours = 0;
        int generated = 0;
        long seed = 1;
        List<Arrival> modes = List.of(Arrival.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--sensitivity" -> sensitivity = true;
                case "--arrival" -> arrival = true;
                case "--generated" -> generated = (int) number(args, ++i, "--generated", 1, 100_000);
                case "--seed" -> seed = number(args, ++i, "--seed", Long.MIN_VALUE, Long.MAX_VALUE);
                case "--arrival-modes" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("--arrival-modes needs a list");
                    List<Arrival> m = new ArrayList<>(List.of(Arrival.REAL_TIME));
                    for (String x : args[++i].split(",")) {
                        try {
                            Arrival a = Arrival.valueOf(x.trim().toUpperCase().replace('-', '_'));
                            if (!m.contains(a)) m.add(a);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--arrival-modes: unknown mode " + x
                                    + " (modes: real_time, backlog, shuffled, restart)");
                        }
                    }
                    modes = List.copyOf(m);
                }
                case "--soak-hours" -> {
                    if (i + 1 >= args.length) throw new IllegalArgumentException("--soak-hours needs a number of hours");
                    try {
                        soakHours = Double.parseDouble(args[++i]);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--soak-hours: not a number: " + args[i]);
                    }
                    if (!(soakHours > 0 && soakHours <= 1000)) {
                        throw new IllegalArgumentException("--soak-hours must be in (0, 1000]");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --json, --sensitivity, --soak-hours H, --arrival, --generated N [--seed S]"
                        + " [--arrival-modes real_time,backlog,shuffled,restart])");
            }
        }
        if (generated > 0) {
            GeneratedScorecard.Report g = GeneratedScorecard.run(generated, seed, modes, err);
            if (json) out.println(GeneratedScorecard.json(g));
            else GeneratedScorecard.print(g, out);
            return 0;
        }
        if (arrival) {
            ArrivalInvariance.print(ArrivalInvariance.run(suite(), scored(DetectionConfig.defaults()), err), out);
            return 0;
        }
        List<Scenario> suite = suite();
        if (soakHours > 0) {
            err.printf("Including a %.1f h healthy soak run of 256 GPUs%n", soakHours);
            suite = new ArrayList<>(suite);
            suite.add(FieldSuite.soak(soakHours));
        }
        Result r = run(suite);
        Sensitivity.Table t = sensitivity ? Sensitivity.run(suite(), err) : null;
        if (json && t != null) {
            // One document: {"rows": [...], "sensitivity": [...]}.
            out.println("{\"rows\": " + json(r) + ",\n\"sensitivity\": " + Sensitivity.json(t) + "}");
        } else if (json) {
            out.println(json(r));
        } else {
            print(r, out);
            if (t != null) Sensitivity.print(t, out);
            java.nio.file.Path steps = StepTimeReplay.defaultDir();
            StepTimeReplay.print(StepTimeReplay.run(steps), steps, out);
        }
        return 0;
    }
}
