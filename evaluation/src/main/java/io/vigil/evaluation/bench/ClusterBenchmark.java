package io.vigil.evaluation.bench;

import io.vigil.evaluation.IsolatedCluster;
import io.vigil.launcher.cluster.ChildProcess;
import io.vigil.launcher.cluster.ClusterComponent;
import io.vigil.launcher.cluster.DatabaseProcess;
import io.vigil.launcher.cluster.LocalCluster;
import io.vigil.model.config.Settings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./vigil bench cluster [--json] [--hosts N | --hosts LOW,HIGH] [--seconds S]}: the whole path on
 * {@code ./vigil cluster}, every stage its own processes — simulated collectors → Kafka (3 brokers) → Flink detection (2 TaskManagers) → writers →
 * PostgreSQL, with alerts flowing. It measures, over a window after a warm-up, the records each stage took in, the CPU
 * each stage's processes used (their own CPU time, read from the OS), the lag of the detection job's and the writers'
 * consumer groups, and the end-to-end lag (the wall clock minus the newest stored GPU sample's time). From records/s
 * per core it says how many cores each stage would need for 100,000 GPUs at 1 Hz, and which stage is the bottleneck.
 * All stages share this machine's cores, so a stage's throughput is what it did, not what it could do alone. With two
 * loads it runs twice and splits each stage's cores into a fixed part and a cost per record ({@link Marginal}).
 */
public final class ClusterBenchmark {

    /** One stage: its processes' CPU over the window and the records it handled. */
    public record Stage(String name, int processes, double cores, double recordsPerSecond, double gpuRecordsPerSecond,
                        double gpuRecordsPerCoreSecond, double coresFor100kGpus, String measuredAs) {}

    public record Result(int gpus, int seconds, double publishedPerSecond, double gpuPublishedPerSecond,
                         double storedGpuPerSecond, double endToEndLagP50Seconds, double endToEndLagP99Seconds,
                         long detectionLagEnd, long writerLagEnd, long alerts, List<Stage> stages, String bottleneck) {
        /** Every stage's cores for 100,000 GPUs at 1 Hz, summed: the whole path's estimate from this one run. */
        @com.fasterxml.jackson.annotation.JsonProperty("coresPer100kGpus")
        public double coresPer100kGpus() {
            return round(stages.stream().mapToDouble(Stage::coresFor100kGpus).sum());
        }
    }

    /**
     * One stage's cost as a line through two runs at different loads: {@code cores = fixedCores + coresPerGpuRecord
     * x GPU records/s}. The fixed part is what the stage's processes spend with no load (heartbeats, checkpoints,
     * replication fetches, a JVM's own work); the marginal part is what each further record costs. Two points only:
     * a line, not a fit.
     */
    public record Marginal(String stage, double fixedCores, double gpuRecordsPerMarginalCoreSecond,
                           double coresFor100kGpus) {}

    private ClusterBenchmark() {}

    public static void main(String[] args) throws Exception {
        boolean json = false;
        List<Integer> hosts = List.of(256);
        int seconds = 120;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--hosts" -> hosts = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--gpus" -> hosts = List.of(Math.max(1, Integer.parseInt(args[++i]) / 8));
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--json, --hosts N or --hosts LOW,HIGH, --gpus N, --seconds S)");
            }
        }
        if (hosts.size() > 2 || (hosts.size() == 2 && hosts.get(0) >= hosts.get(1))) {
            throw new IllegalArgumentException("--hosts takes one load, or two (LOW,HIGH, LOW < HIGH) for the "
                    + "marginal cost per record");
        }
        List<Result> runs = new ArrayList<>();
        for (int h : hosts) {
            runs.add(run(h, seconds, json ? System.err : System.out));
            if (!json) print(runs.get(runs.size() - 1), System.out);
        }
        List<Marginal> marginal = runs.size() == 2 ? marginal(runs.get(0), runs.get(1)) : List.of();
        if (json) {
            // With two runs the estimate is the marginal one (fixed cores plus a cost per record), which a saturated
            // machine's single run overstates less.
            Object out = runs.size() == 1 ? runs.get(0) : Map.of("runs", runs, "marginal", marginal,
                    "coresPer100kGpus", round(marginal.stream().mapToDouble(Marginal::coresFor100kGpus).sum()));
            System.out.println(io.vigil.model.WireFormat.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(out));
        } else if (!marginal.isEmpty()) {
            printMarginal(runs.get(0), runs.get(1), marginal, System.out);
        }
    }

    /** Each stage's line through the two runs (see {@link Marginal}). */
    static List<Marginal> marginal(Result low, Result high) {
        List<Marginal> out = new ArrayList<>();
        for (Stage h : high.stages()) {
            Stage l = low.stages().stream().filter(s -> s.name().equals(h.name())).findFirst().orElseThrow();
            double records = h.gpuRecordsPerSecond() - l.gpuRecordsPerSecond();
            double perRecord = records <= 0 ? Double.NaN : (h.cores() - l.cores()) / records;
            double fixed = l.cores() - perRecord * l.gpuRecordsPerSecond();
            boolean line = perRecord > 0;
            out.add(new Marginal(h.name(), line ? Math.round(fixed * 1000) / 1000.0 : Double.NaN,
                    line ? round(1 / perRecord) : Double.NaN,
                    line ? round(fixed + perRecord * 100_000) : Double.NaN));
        }
        return out;
    }

    static void printMarginal(Result low, Result high, List<Marginal> marginal, PrintStream out) {
        out.printf("Marginal cost per record, between %,d and %,d GPUs (cores = fixed + per record x records/s)%n",
                low.gpus(), high.gpus());
        out.printf("  %-11s %11s %26s %14s%n", "stage", "fixed cores", "GPU rec/s per marginal core",
                "cores @100k");
        for (Marginal m : marginal) {
            out.printf("  %-11s %11.3f %,26.0f %14.1f%n", m.stage(), m.fixedCores(),
                    m.gpuRecordsPerMarginalCoreSecond(), m.coresFor100kGpus());
        }
    }

    public static Result run(int hosts, int seconds, PrintStream log) throws Exception {
        Path home = Path.of(System.getProperty("vigil.home", ".")).toAbsolutePath().normalize();
        try (IsolatedCluster isolated = IsolatedCluster.start(home, hosts, Map.of(), Map.of(), log);
             Admin admin = Admin.create(isolated.cluster().adminClientProperties())) {
            LocalCluster cluster = isolated.cluster();
            Settings platform = isolated.settings();
            log.println("Warming up for 60 s (" + hosts * 8 + " GPUs)...");
            Thread.sleep(60_000);
            Snapshot start = snapshot(isolated, admin, platform);
            List<Double> lags = new ArrayList<>();
            long end = System.currentTimeMillis() + seconds * 1000L;
            while (System.currentTimeMillis() < end) {
                Thread.sleep(5_000);
                double lag = endToEndLag(cluster);
                if (lag >= 0) lags.add(lag);
                log.printf("  end-to-end lag %.1f s%n", lag);
            }
            Snapshot stop = snapshot(isolated, admin, platform);
            double window = (stop.at - start.at) / 1000.0;
            double published = (stop.published - start.published) / window;
            double gpuPublished = (stop.gpuPublished - start.gpuPublished) / window;
            double gpuShare = published == 0 ? 0 : gpuPublished / published;
            double detected = (stop.detectionConsumed - start.detectionConsumed) / window;
            double stored = (stop.storedGpu - start.storedGpu) / window;
            double written = (stop.writerConsumed - start.writerConsumed) / window;
            List<Stage> stages = new ArrayList<>();
            stages.add(stage("collectors", stop, start, window, published, gpuShare, "records published"));
            stages.add(stage("kafka", stop, start, window, published, gpuShare, "records appended (x3 replicas)"));
            stages.add(stage("flink", stop, start, window, detected, gpuShare,
                    "records the detection job committed (offsets, at checkpoints)"));
            stages.add(stage("writers", stop, start, window, written, gpuShare, "records the writers committed"));
            stages.add(stage("postgres", stop, start, window, written, gpuShare, "rows written by the writers"));
            Stage worst = stages.stream().max(java.util.Comparator.comparingDouble(Stage::coresFor100kGpus)).orElseThrow();
            List<Double> sorted = lags.stream().sorted().toList();
            Result r = new Result(hosts * 8, seconds, published, gpuPublished, stored, pct(sorted, 0.5),
                    pct(sorted, 0.99), stop.detectionLag, stop.writerLag,
                    isolated.count("SELECT count(*) FROM alert"), stages,
                    worst.name() + " (" + String.format("%.1f", worst.coresFor100kGpus())
                            + " cores for 100,000 GPUs at 1 Hz)");
            return r;
        }
    }

    private static Stage stage(String name, Snapshot stop, Snapshot start, double window, double recordsPerSecond,
                               double gpuShare, String measuredAs) {
        double cores = (stop.cpuSeconds.getOrDefault(name, 0.0) - start.cpuSeconds.getOrDefault(name, 0.0)) / window;
        double gpu = recordsPerSecond * gpuShare;
        double perCore = cores <= 0 ? 0 : gpu / cores;
        return new Stage(name, stop.processes.getOrDefault(name, 0), Math.round(cores * 1000) / 1000.0,
                round(recordsPerSecond), round(gpu),
                round(perCore), perCore <= 0 ? 0 : round(100_000 / perCore), measuredAs);
    }

    /** What the counters say at one instant. */
    private static final class Snapshot {
        long at;
        long published, gpuPublished, detectionConsumed, writerConsumed, storedGpu, detectionLag, writerLag;
        final Map<String, Double> cpuSeconds = new LinkedHashMap<>();
        final Map<String, Integer> processes = new LinkedHashMap<>();
    }

    private static Snapshot snapshot(IsolatedCluster isolated, Admin admin, Settings platform) throws Exception {
        LocalCluster cluster = isolated.cluster();
        Snapshot s = new Snapshot();
        s.at = System.currentTimeMillis();
        for (ClusterComponent c : cluster.components()) {
            String stage = c.name().startsWith("collector-") ? "collectors" : c.name().startsWith("kafka-") ? "kafka"
                    : c.name().startsWith("flink-") ? "flink" : c.name().startsWith("writer-") ? "writers"
                    : c.name().equals("postgres") ? "postgres" : null;
            if (stage == null) continue;
            long pid = c instanceof ChildProcess p ? p.pid() : c instanceof DatabaseProcess d ? d.pid() : -1;
            double cpu = cpuSeconds(pid, stage.equals("postgres"));
            s.cpuSeconds.merge(stage, cpu, Double::sum);
            s.processes.merge(stage, 1, Integer::sum);
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        var described = admin.describeTopics(cluster.topics().telemetry()).allTopicNames().get(30, TimeUnit.SECONDS);
        described.forEach((t, d) -> d.partitions().forEach(p -> latest.put(new TopicPartition(t, p.partition()),
                OffsetSpec.latest())));
        var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        for (var e : ends.entrySet()) {
            s.published += e.getValue().offset();
            if (e.getKey().topic().equals(cluster.topics().gpu())) s.gpuPublished += e.getValue().offset();
        }
        long[] det = committed(admin, platform.string("detection.group-id"), ends);
        long[] wr = committed(admin, platform.string("writer.group-id"), ends);
        s.detectionConsumed = det[0];
        s.detectionLag = det[1];
        s.writerConsumed = wr[0];
        s.writerLag = wr[1];
        s.storedGpu = isolated.count("SELECT count(*) FROM gpu_sample");
        return s;
    }

    /** A group's committed offsets summed over the telemetry partitions, and its lag behind their ends. */
    private static long[] committed(Admin admin, String group,
                                    Map<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo> ends)
            throws Exception {
        var offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        long sum = 0, lag = 0;
        for (var e : ends.entrySet()) {
            var c = offsets.get(e.getKey());
            long at = c == null ? 0 : c.offset();
            sum += at;
            lag += Math.max(0, e.getValue().offset() - at);
        }
        return new long[] {sum, lag};
    }

    /** A process's CPU time so far, with its descendants' (PostgreSQL's backends) when asked. */
    private static double cpuSeconds(long pid, boolean withDescendants) {
        if (pid <= 0) return 0;
        return ProcessHandle.of(pid).map(p -> {
            double total = cpu(p);
            if (withDescendants) total += p.descendants().mapToDouble(ClusterBenchmark::cpu).sum();
            return total;
        }).orElse(0.0);
    }

    private static double cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toMillis() / 1000.0).orElse(0.0);
    }

    private static double endToEndLag(LocalCluster cluster) {
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), cluster.dbUser(), cluster.dbPassword());
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT extract(epoch FROM now() - max(ts)) FROM gpu_sample "
                     + "WHERE ts > now() - interval '30 minutes'")) {
            return rs.next() ? rs.getDouble(1) : -1;
        } catch (Exception e) {
            return -1;
        }
    }

    private static double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) return -1;
        return round(sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)));
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static void print(Result r, PrintStream out) {
        out.printf("Vigil on ./vigil cluster: %,d GPUs at 1 Hz, %d s window, all stages on this machine's cores%n",
                r.gpus(), r.seconds());
        out.printf("  published %,.0f records/s (%,.0f GPU records/s); stored %,.0f GPU rows/s; %d alerts%n",
                r.publishedPerSecond(), r.gpuPublishedPerSecond(), r.storedGpuPerSecond(), r.alerts());
        out.printf("  end-to-end lag p50 %.1f s, p99 %.1f s; lag at the end: detection %,d records, writers %,d%n",
                r.endToEndLagP50Seconds(), r.endToEndLagP99Seconds(), r.detectionLagEnd(), r.writerLagEnd());
        out.printf("  %-11s %9s %7s %12s %16s %14s  %s%n", "stage", "processes", "cores", "records/s",
                "GPU rec/s/core", "cores @100k", "measured as");
        for (Stage s : r.stages()) {
            out.printf("  %-11s %9d %7.3f %,12.0f %,16.0f %14.1f  %s%n", s.name(), s.processes(), s.cores(),
                    s.recordsPerSecond(), s.gpuRecordsPerCoreSecond(), s.coresFor100kGpus(), s.measuredAs());
        }
        out.println("  bottleneck: " + r.bottleneck());
    }
}
