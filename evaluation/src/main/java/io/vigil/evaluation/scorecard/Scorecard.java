package io.vigil.launcher.scorecard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.detection.DetectionConfig;
import io.vigil.detection.DetectionJob;
import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.model.AlertEvent;
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
 * {@code ./vigil scorecard [--json]}: runs every scenario of {@link ScenarioSuite} through the real detection job
 * ({@link DetectionJob}, the production graph) on a local Flink MiniCluster, and beside it the static-threshold
 * baseline on the same telemetry; prints per detector precision, recall, F1, detection latency, incidents and pages.
 */
public final class Scorecard {

    /** The whole run's outcome. */
    public record Result(List<Scorer.Row> rows, List<Scorer.ScenarioResult> scenarios, long records,
                         long deadLetters, double seconds) {}

    /** The feed the source reads from; static because the generator runs in this JVM's MiniCluster. */
    private static volatile ScenarioFeed feed;
    private static final Topics TOPICS = Topics.defaults();

    private Scorecard() {}

    public static Result run(List<Scenario> suite) throws Exception {
        long t0 = System.nanoTime();
        Detection d = detect(suite);
        Scorer vigil = new Scorer(suite, d.alerts(), false);
        Scorer baseline = new Scorer(suite, baseline(suite), true);
        List<Scorer.Row> rows = new ArrayList<>(vigil.rows());
        rows.addAll(baseline.rows());
        return new Result(rows, vigil.scenarios(), d.records(), d.deadLetters(), (System.nanoTime() - t0) / 1e9);
    }

    /** What the detection job said about the scenarios. */
    public record Detection(List<AlertEvent> alerts, long records, long deadLetters) {}

    /** Runs the scenarios' telemetry through the production detection job on a local MiniCluster. */
    public static Detection detect(List<Scenario> suite) throws Exception {
        long count = ScenarioFeed.count(suite);
        feed = new ScenarioFeed(suite);
        DataGeneratorSource<RawTelemetry> source = new DataGeneratorSource<>(
                (GeneratorFunction<Long, RawTelemetry>) Scorecard::record, count,
                TypeInformation.of(RawTelemetry.class));
        MemorySink<AlertEvent> alerts = new MemorySink<>();
        MemorySink<DeadLetter> dead = new MemorySink<>();
        Configuration conf = new Configuration();
        conf.set(CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        // The clock only judges "too far in the future"; the scenarios run in 2026's future, so set it after them.
        Clock clock = Clock.fixed(Instant.ofEpochMilli(ScenarioFeed.T0 + 86_400_000L), ZoneOffset.UTC);
        new DetectionJob(source, alerts, dead, DetectionConfig.defaults(), clock).build(env);
        env.execute("vigil-scorecard");
        return new Detection(alerts.drain(), count, dead.drain().size());
    }

    private static RawTelemetry record(Long index) {
        TelemetryRecord r = feed.next();
        return new RawTelemetry(TOPICS.topicFor(r.schema()), 0, index, WireFormat.encode(r));
    }

    /** The baseline rules over the same disturbed GPU samples, each GPU's in time order. */
    static List<AlertEvent> baseline(List<Scenario> suite) {
        Map<String, List<GpuSample>> byGpu = new HashMap<>();
        ScenarioFeed.forEachGpuSample(suite, s -> byGpu.computeIfAbsent(s.gpuKey(), k -> new ArrayList<>()).add(s));
        StaticThresholdBaseline rules = new StaticThresholdBaseline();
        for (List<GpuSample> samples : byGpu.values()) {
            samples.sort(Comparator.comparingLong(GpuSample::ts));
            samples.forEach(rules::accept);
        }
        long end = ScenarioFeed.T0 + suite.stream().mapToLong(s -> s.length().toMillis()).max().orElse(0);
        return rules.finish(end);
    }

    public static void print(Result r, PrintStream out) {
        out.printf("Detection scorecard: %d scenarios, %d records, %.0f s (%d dead letters)%n%n",
                r.scenarios().size(), r.records(), r.seconds(), r.deadLetters());
        out.printf("%-11s %-9s %9s %6s %6s %6s %5s %9s %9s %9s %5s%n", "detector", "", "expected", "found", "FP",
                "prec", "rec", "F1", "p50 s", "p95 s", "pages");
        for (Scorer.Row row : r.rows()) {
            out.printf("%-11s %-9s %9d %6d %6d %6.2f %5.2f %9.2f %9s %9s %5d%n", row.detector(),
                    row.baseline() ? "baseline" : "vigil", row.expected(), row.found(), row.falsePositives(),
                    row.precision(), row.recall(), row.f1(), fmt(row.latencyP50Seconds()), fmt(row.latencyP95Seconds()),
                    row.pages());
        }
        out.println();
        out.println("Per scenario (Vigil): pages, and anything missed or unexpected");
        for (Scorer.ScenarioResult s : r.scenarios()) {
            out.printf("  %-24s %s pages=%d%s%n", s.scenario(), s.negative() ? "negative" : "fault   ", s.pages(),
                    s.missed().isEmpty() ? "" : "  MISSED " + s.missed());
            for (String u : s.unexpected()) out.println("      unexpected: " + u);
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
        }
        return array.toPrettyString();
    }

    private static String fmt(Double d) {
        return d == null ? "-" : String.format("%.1f", d);
    }

    private static double round(double d) {
        return Math.round(d * 1000) / 1000.0;
    }

    public static void main(String[] args) throws Exception {
        boolean json = List.of(args).contains("--json");
        Result r = run(ScenarioSuite.all());
        if (json) {
            System.out.println(json(r));
        } else {
            print(r, System.out);
        }
    }
}
