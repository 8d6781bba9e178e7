package io.vigil.evaluation.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.detection.DetectionConfig;
import io.vigil.detection.DetectionJob;
import io.vigil.detection.ingest.RawTelemetry;
import io.vigil.detection.ingest.TelemetryDecoder;
import io.vigil.model.AlertEvent;
import io.vigil.model.DeadLetter;
import io.vigil.model.Topics;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code ./vigil bench detection [--json] [--gpus N] [--seconds S]}: the detection job ({@link DetectionJob}, all
 * detectors, the production graph) on a local MiniCluster of this machine, fed pre-encoded JSON GPU samples of a
 * synthetic fleet (default 100,000 GPUs).
 * <ol>
 * <li>Throughput: as fast as it goes, {@code S} seconds of the fleet's event time; the baseline, in the same run, is
 * the job's first operator alone (decode and validate into a discarding sink), the floor any detection pays.</li>
 * <li>Under load: the fleet at its real rate (one sample per GPU per second, event time = wall clock) with
 * checkpoints every 10 s: latency from a hot sample's event time to its alert reaching the sink, checkpoint
 * duration, and checkpointed state per GPU.</li>
 * </ol>
 */
public final class DetectionBenchmark {

    static volatile SyntheticFleet fleet;
    /** When the source produced its first record: throughput is timed from there, without the cluster's start-up. */
    static volatile long firstRecordNanos;
    /** When the paced source produced its last record: if the job keeps up, the fleet's duration after the first. */
    static volatile long lastRecordNanos;
    static final ConcurrentLinkedQueue<Long> LATENCIES_MS = new ConcurrentLinkedQueue<>();
    static final Topics TOPICS = Topics.defaults();
    static final int PARALLELISM = Integer.getInteger("vigil.bench.parallelism", 2);

    public record Result(int gpus, long records, double sustainedSamplesPerSecond, double baselineSamplesPerSecond,
                         double ratioToBaseline, double offeredRate, double achievedRateUnderLoad,
                         Double latencyP50Ms, Double latencyP95Ms, Double latencyP99Ms, int alertsMeasured,
                         Long checkpointDurationMs, Long checkpointStateBytes, Double stateBytesPerGpu,
                         int parallelism) {}

    private DetectionBenchmark() {}

    public static Result run(int gpus, int seconds, int loadSeconds) throws Exception {
        fleet = new SyntheticFleet(gpus);
        long count = (long) gpus * seconds;
        double baseline = throughput(count, true);
        double detection = throughput(count, false);
        Load load = underLoad(gpus, loadSeconds);
        List<Long> l = new ArrayList<>(LATENCIES_MS);
        l.sort(Long::compare);
        return new Result(gpus, count, detection, baseline, detection / baseline, gpus, load.achievedRate,
                pct(l, 0.5), pct(l, 0.95), pct(l, 0.99), l.size(), load.checkpointMs, load.stateBytes,
                load.stateBytes == null ? null : load.stateBytes / (double) gpus, PARALLELISM);
    }

    /** Records per second through the job (or the baseline), timed from submission to the end of the input. */
    static double throughput(long count, boolean baselineOnly) throws Exception {
        int gpus = fleet.gpus();
        long start = 1_790_000_000_000L;
        long perSplit = count / PARALLELISM;
        DataGeneratorSource<RawTelemetry> source = new DataGeneratorSource<>(
                (GeneratorFunction<Long, RawTelemetry>) i -> {
                    if (firstRecordNanos == 0) firstRecordNanos = System.nanoTime();
                    // Each parallel split walks its half of the fleet in time order.
                    long split = i / perSplit;
                    long j = i - split * perSplit;
                    int half = gpus / PARALLELISM;
                    long second = j / half;
                    int gpu = (int) (split * half + j % half);
                    return new RawTelemetry(TOPICS.gpu(), (int) split, j,
                            fleet.record(gpu, start + second * 1000, second));
                }, perSplit * PARALLELISM, TypeInformation.of(RawTelemetry.class));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf(0));
        Clock clock = Clock.fixed(java.time.Instant.ofEpochMilli(start + 86_400_000L), java.time.ZoneOffset.UTC);
        if (baselineOnly) {
            env.fromSource(source, org.apache.flink.api.common.eventtime.WatermarkStrategy.noWatermarks(), "telemetry")
                    .process(new TelemetryDecoder(TOPICS, clock, Duration.ofMinutes(5)))
                    .sinkTo(new Discard<>());
        } else {
            new DetectionJob(source, new Discard<>(), new Discard<>(), DetectionConfig.defaults(), clock).build(env);
        }
        firstRecordNanos = 0;
        env.execute(baselineOnly ? "bench-baseline" : "bench-detection");
        double s = (System.nanoTime() - firstRecordNanos) / 1e9;
        return perSplit * PARALLELISM / s;
    }

    private record Load(double achievedRate, Long checkpointMs, Long stateBytes) {}

    /** The fleet at its real rate with event time = wall clock, checkpointing; alerts timed as they arrive. */
    static Load underLoad(int gpus, int seconds) throws Exception {
        LATENCIES_MS.clear();
        long startWall = System.currentTimeMillis();
        long count = (long) gpus * seconds;
        long perSplit = count / PARALLELISM;
        int half = gpus / PARALLELISM;
        double nanosPerRecord = 1e9 / half; // each split paces its half of the fleet to one sample per GPU per second
        DataGeneratorSource<RawTelemetry> source = new DataGeneratorSource<>(
                (GeneratorFunction<Long, RawTelemetry>) i -> {
                    if (firstRecordNanos == 0) firstRecordNanos = System.nanoTime();
                    long split = i / perSplit;
                    long j = i - split * perSplit;
                    // Paced here rather than by Flink's rate limiter, whose per-record hand-off to one thread
                    // caps the offered rate below 100,000/s on this machine.
                    long due = firstRecordNanos + (long) (j * nanosPerRecord);
                    long ahead = due - System.nanoTime();
                    if (ahead > 1_000_000) java.util.concurrent.locks.LockSupport.parkNanos(ahead);
                    long now = System.currentTimeMillis();
                    lastRecordNanos = System.nanoTime();
                    int gpu = (int) (split * half + j % half);
                    long second = (now - startWall) / 1000;
                    return new RawTelemetry(TOPICS.gpu(), (int) split, j, fleet.record(gpu, now, second));
                }, perSplit * PARALLELISM, TypeInformation.of(RawTelemetry.class));
        int port = freePort();
        Path checkpoints = Files.createTempDirectory("vigil-bench-checkpoints");
        Configuration conf = conf(port);
        conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
        env.enableCheckpointing(Long.getLong("vigil.bench.checkpoint-ms", 10_000));
        new DetectionJob(source, new LatencySink(), new Discard<DeadLetter>(), DetectionConfig.defaults(),
                Clock.systemUTC()).build(env);
        firstRecordNanos = 0;
        JobClient job = env.executeAsync("bench-under-load");
        JsonNode latest = null;
        var done = job.getJobExecutionResult();
        while (!done.isDone()) {
            Thread.sleep(2000);
            JsonNode stats = checkpointStats(port, job.getJobID().toString());
            if (stats != null && stats.path("latest").path("completed").isObject()) {
                latest = stats.path("latest").path("completed");
            }
        }
        done.get();
        // Offered at the fleet's rate; if the job pushes back, the source falls behind its schedule.
        double s = (lastRecordNanos - firstRecordNanos) / 1e9;
        Long ms = latest == null ? null : latest.path("end_to_end_duration").asLong();
        Long bytes = latest == null ? null : latest.path("state_size").asLong(latest.path("checkpointed_size").asLong());
        return new Load(count / s, ms, bytes);
    }

    private static Configuration conf(int restPort) {
        Configuration conf = new Configuration();
        conf.set(CoreOptions.TMP_DIRS, System.getProperty("java.io.tmpdir"));
        if (restPort > 0) {
            conf.set(RestOptions.PORT, restPort);
            conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        }
        return conf;
    }

    private static JsonNode checkpointStats(int port, String jobId) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/jobs/" + jobId + "/checkpoints"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? WireFormat.mapper().readTree(r.body()) : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Double pct(List<Long> sorted, double p) {
        if (sorted.isEmpty()) return null;
        int rank = (int) Math.ceil(p * sorted.size());
        return (double) sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** Drops what it gets. */
    static final class Discard<T> implements Sink<T> {
        @Override
        public SinkWriter<T> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                public void write(T element, Context ctx) {}
                public void flush(boolean endOfInput) {}
                public void close() {}
            };
        }
    }

    /** Times each firing alert from the event time of the sample that decided it to its arrival here. */
    static final class LatencySink implements Sink<AlertEvent> {
        @Override
        public SinkWriter<AlertEvent> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                public void write(AlertEvent a, Context ctx) {
                    if (a.state() == AlertEvent.State.FIRING && a.detectedAt() != null
                            && io.vigil.model.IncidentLabels.isRoot(a.labels())) {
                        LATENCIES_MS.add(System.currentTimeMillis() - a.detectedAt().toEpochMilli());
                    }
                }
                public void flush(boolean endOfInput) {}
                public void close() {}
            };
        }
    }

    public static String json(Result r) {
        ObjectNode o = WireFormat.mapper().valueToTree(r);
        // Keeping up means taking the fleet's real rate, with checkpoints, without falling behind.
        o.put("keepsUpUnderLoad", r.achievedRateUnderLoad() >= 0.98 * r.offeredRate());
        return o.toPrettyString();
    }

    public static void print(Result r, java.io.PrintStream out) {
        out.printf("Detection benchmark: %,d GPUs, parallelism %d, all detectors%n", r.gpus(), r.parallelism());
        out.printf("  throughput   %,12.0f samples/s  (%,d samples)%n", r.sustainedSamplesPerSecond(), r.records());
        out.printf("  baseline     %,12.0f samples/s  decode and validate only%n", r.baselineSamplesPerSecond());
        out.printf("  ratio        %12.2f  of the baseline%n", r.ratioToBaseline());
        out.printf("  under load   %,12.0f samples/s offered, %,.0f achieved%n", r.offeredRate(), r.achievedRateUnderLoad());
        out.printf("  alert latency p50 %s ms, p95 %s ms, p99 %s ms (%d alerts; sample event time to alert at sink)%n",
                f(r.latencyP50Ms()), f(r.latencyP95Ms()), f(r.latencyP99Ms()), r.alertsMeasured());
        out.printf("  checkpoint   %s ms, %s bytes of state, %s bytes per GPU%n", r.checkpointDurationMs(),
                r.checkpointStateBytes(), f(r.stateBytesPerGpu()));
    }

    private static String f(Double d) {
        return d == null ? "-" : String.format("%.0f", d);
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        int gpus = intArg(a, "--gpus", 100_000);
        int seconds = intArg(a, "--seconds", 60);
        int loadSeconds = intArg(a, "--load-seconds", 60);
        Result r = run(gpus, seconds, loadSeconds);
        if (a.contains("--json")) System.out.println(json(r));
        else print(r, System.out);
    }

    private static int intArg(List<String> a, String name, int dflt) {
        int i = a.indexOf(name);
        return i >= 0 && i + 1 < a.size() ? Integer.parseInt(a.get(i + 1)) : dflt;
    }
}
