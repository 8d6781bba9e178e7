package io.vigil.evaluation.scorecard;

import io.vigil.detection.DetectionConfig;
import io.vigil.detection.DetectionJob;
import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.StepEvent;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import io.vigil.testsupport.CollectingSink;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The scorecard's page-count check on real data: per-worker mini-batch times of real distributed training jobs
 * (Alibaba PAI, {@code shared/testdata/step-times}, CC-BY-4.0; not copied into the repository) replayed as step
 * events, one recorded iteration per second, through the production detection job. Nothing is labelled there, so
 * it reports pages per job-hour and checks each page against the data: the paged rank's median step time over the
 * {@link #SPAN} iterations from the alert's start must differ from its median over the {@code SPAN} before by at
 * least the straggler's minimum step deviation. A page with no such change is a false page.
 */
public final class StepTimeReplay {

    static final int SPAN = 10;
    static final long T0 = ScenarioFeed.T0;

    /** One job's replay. */
    public record JobResult(String job, int workers, int iterations, double jobHours, int pages,
                            int pagesWithAChange, List<String> pageSummaries) {
        public double pagesPerJobHour() {
            return jobHours == 0 ? 0 : pages / jobHours;
        }
    }

    private StepTimeReplay() {}

    /** The directory of the step-time files: {@code vigil.testdata} or {@code <vigil.home>/../shared/testdata}. */
    public static Path defaultDir() {
        String data = System.getProperty("vigil.testdata");
        if (data != null) return Path.of(data, "step-times");
        return Path.of(System.getProperty("vigil.home", "."), "..", "shared", "testdata", "step-times").normalize();
    }

    /** Replays every {@code *.csv} in {@code dir}; an empty list when there is none. */
    public static List<JobResult> run(Path dir) throws Exception {
        List<JobResult> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) return out;
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".csv")).sorted().toList();
        }
        for (Path f : files) out.add(replay(f));
        return out;
    }

    static JobResult replay(Path csv) throws Exception {
        String job = csv.getFileName().toString().replace(".csv", "");
        // worker -> iteration -> step time
        Map<Integer, TreeMap<Integer, Double>> byWorker = new HashMap<>();
        TreeMap<Integer, Integer> second = new TreeMap<>();
        for (String line : Files.readAllLines(csv)) {
            String[] r = line.split(",");
            if (r.length < 5 || !Character.isDigit(r[1].isEmpty() ? 'x' : r[1].charAt(0))) continue;
            int worker = Integer.parseInt(r[1].trim());
            int iteration = Integer.parseInt(r[3].trim());
            byWorker.computeIfAbsent(worker, k -> new TreeMap<>()).put(iteration, Double.parseDouble(r[4].trim()));
            second.putIfAbsent(iteration, 0);
        }
        int i = 0;
        for (var e : second.entrySet()) e.setValue(i++);
        List<RawTelemetry> records = new ArrayList<>();
        Topics topics = Topics.defaults();
        long offset = 0;
        for (int iteration : second.keySet()) {
            for (var w : new TreeMap<>(byWorker).entrySet()) {
                Double cost = w.getValue().get(iteration);
                if (cost == null) continue;
                long end = T0 + second.get(iteration) * 1000L + 500;
                StepEvent e = new StepEvent("replay", job, w.getKey(), iteration, end - Math.round(cost), end, cost,
                        null, "worker-" + w.getKey(), 0, null);
                records.add(new RawTelemetry(topics.steps(), 0, offset++, WireFormat.encode(e)));
            }
        }
        List<AlertEvent> alerts = detect(records);
        List<String> summaries = new ArrayList<>();
        int pages = 0, changed = 0;
        double minChange = DetectionConfig.defaults().straggler().minStepDeviation();
        for (AlertEvent a : alerts) {
            if (a.state() != AlertEvent.State.FIRING || !io.vigil.model.IncidentLabels.isRoot(a.labels())) continue;
            pages++;
            summaries.add(a.summary());
            String rank = a.labels().get("rank");
            if (rank == null) continue;
            TreeMap<Integer, Double> steps = byWorker.get(Integer.parseInt(rank));
            int startIteration = iterationAt(second, a.startsAt().toEpochMilli());
            double before = median(steps.headMap(startIteration, false).descendingMap().values(), SPAN);
            double after = median(steps.tailMap(startIteration, true).values(), SPAN);
            if (before > 0 && Math.abs(after / before - 1) >= minChange) changed++;
        }
        double hours = second.size() / 3600.0;
        return new JobResult(job, byWorker.size(), second.size(), hours, pages, changed, summaries);
    }

    private static int iterationAt(TreeMap<Integer, Integer> second, long ms) {
        int index = (int) ((ms - T0) / 1000);
        for (var e : second.entrySet()) {
            if (e.getValue() >= index) return e.getKey();
        }
        return second.lastKey();
    }

    private static double median(java.util.Collection<Double> values, int n) {
        List<Double> first = new ArrayList<>();
        for (Double v : values) {
            if (first.size() == n) break;
            first.add(v);
        }
        if (first.isEmpty()) return Double.NaN;
        first.sort(Double::compare);
        int m = first.size();
        return m % 2 == 1 ? first.get(m / 2) : (first.get(m / 2 - 1) + first.get(m / 2)) / 2;
    }

    private static volatile List<RawTelemetry> feed;

    private static List<AlertEvent> detect(List<RawTelemetry> records) throws Exception {
        feed = records;
        CollectingSink<AlertEvent> alerts = new CollectingSink<>();
        CollectingSink<DeadLetter> dead = new CollectingSink<>();
        DataGeneratorSource<RawTelemetry> source = new DataGeneratorSource<>(
                (GeneratorFunction<Long, RawTelemetry>) StepTimeReplay::record, records.size(),
                TypeInformation.of(RawTelemetry.class));
        Configuration conf = new Configuration();
        conf.set(CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        new DetectionJob(source, alerts, dead, DetectionConfig.defaults(),
                Clock.fixed(Instant.ofEpochMilli(T0 + 86_400_000L), ZoneOffset.UTC)).build(env);
        env.execute("vigil-step-time-replay");
        dead.drain();
        return alerts.drain();
    }

    private static RawTelemetry record(Long index) {
        return feed.get(index.intValue());
    }

    public static void print(List<JobResult> results, Path dir, PrintStream out) {
        out.println();
        if (results.isEmpty()) {
            out.println("Real step times: none found at " + dir + " (see ../shared/testdata/README.md)");
            return;
        }
        out.println("Real step times replayed (Alibaba PAI, CC-BY-4.0): pages, and whether each matches a change");
        for (JobResult r : results) {
            out.printf("  %-12s %2d workers, %4d iterations (%.2f job-hours): %d pages (%.1f per job-hour), %d of them "
                    + "on a change of the paged rank's step time%n", r.job(), r.workers(), r.iterations(), r.jobHours(),
                    r.pages(), r.pagesPerJobHour(), r.pagesWithAChange());
            for (String s : r.pageSummaries()) out.println("      " + s);
        }
    }
}
