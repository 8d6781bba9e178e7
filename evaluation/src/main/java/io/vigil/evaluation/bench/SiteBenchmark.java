package io.vigil.evaluation.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.collectors.simulator.ClusterTopology;
import io.vigil.launcher.Platform;
import io.vigil.launcher.PlatformConfig;
import io.vigil.model.AlertEvent;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ./vigil bench site [--json] [--hosts N] [--minutes M] [--sessions N]}: a whole site on this machine, as
 * {@code ./vigil demo --hosts N} runs it (simulator at 1 Hz with its scripted faults, Kafka, Flink detection,
 * notifications, the writer, PostgreSQL, the console) with N signed-in browser sessions on the overview, for M
 * minutes. Faults are injected throughout (a thermal runaway every three minutes on another host, a straggler every
 * five on another job) so alerts are timed over the whole run, not only during the scripted first minutes.
 *
 * <p>Measured each second:
 * <ul>
 * <li><b>sample → stored</b>: for every GPU, how far its newest stored sample is behind the wall clock (the
 * database's {@code now()} minus the sample's own time, read from {@code gpu_latest}); the tick's figure is the 99th
 * percentile over the GPUs, so it includes up to one sampling interval (1 s) on top of the pipeline's lag;</li>
 * <li><b>sample → alert</b>: for every firing alert on the alerts topic, read as the notification job reads it
 * (committed transactions only), the wall clock at receipt minus the alert's {@code detectedAt} (the event time of
 * the newest telemetry the detector had when it decided).</li>
 * </ul>
 * and over the run: CPU of the platform's JVM (Kafka, Flink, writer, simulator, notifications), of PostgreSQL (the
 * server and its backends), of the console's JVM, and the machine's idle share; the browsers' time per update.
 * {@code keptUp} is true when sample → stored p99 and sample → alert p99 are within 5 s and the last quarter's
 * median stored lag is no more than 2 s above the first quarter's (no growing lag).
 */
public final class SiteBenchmark {

    public record Result(int hosts, int gpus, double minutes, int sessions, int ticks,
                         double storedLagP50Seconds, double storedLagP99Seconds, double storedLagMaxSeconds,
                         double storedLagFirstQuarterSeconds, double storedLagLastQuarterSeconds,
                         int alertsTimed, double alertLagP50Seconds, double alertLagP99Seconds,
                         double platformCpuPctOfCore, double postgresCpuPctOfCore, double consoleCpuPctOfCore,
                         double machineIdlePct, double browserUpdateP50Ms, double browserUpdateP99Ms,
                         double updatesPerSecondPerSession, boolean keptUp, int cores) {}

    /** The goals the verdict holds the run to (issue 28). */
    static final double LAG_GOAL_SECONDS = 5, GROWTH_TOLERANCE_SECONDS = 2;

    private SiteBenchmark() {}

    public static Result run(int hosts, int minutes, int sessions, PrintStream log) throws Exception {
        Path data = Files.createTempDirectory("vigil-bench-site");
        Map<String, String> o = new HashMap<>();
        o.put("kafka.embedded-port", String.valueOf(DashboardBenchmark.freePort()));
        o.put("db.embedded-port", String.valueOf(DashboardBenchmark.freePort()));
        o.put("dashboard.port", String.valueOf(DashboardBenchmark.freePort()));
        o.put("simulator.control-port", "0");
        o.put("data.dir", data.resolve("data").toString());
        o.put("dashboard.users-file", data.resolve("users").toString());
        o.put("simulator.hosts", String.valueOf(hosts));
        Path home = Path.of(System.getProperty("vigil.home", ".")).toAbsolutePath().normalize();
        PlatformConfig config = PlatformConfig.from(Settings.load(PlatformConfig.catalog(), null, System.getenv(), o), home);
        log.println("Starting the platform with " + hosts + " simulated hosts (" + hosts * 8 + " GPUs)...");
        try (Platform platform = Platform.start(config, log)) {
            int gpus = platform.simulator().topology().hosts().stream().mapToInt(ClusterTopology.Host::gpus).sum();
            String base = platform.dashboardUrl();
            String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + platform.adminPassword())
                    .getBytes(StandardCharsets.UTF_8));
            HttpClient http = HttpClient.newHttpClient();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
            int shown = 0;
            while (Instant.now().isBefore(deadline) && shown < gpus * 0.98) {
                shown = DashboardBenchmark.fleet(http, base, auth).path("gpus").asInt();
                Thread.sleep(2000);
            }
            log.printf("%d of %d GPUs in the live view; opening %d sessions...%n", shown, gpus, sessions);
            // With no session the console's refresher does not run: the pipeline alone, no browser on these cores.
            try (ConsoleSessions console = sessions == 0 ? null
                    : ConsoleSessions.open(base, "admin", platform.adminPassword(), sessions, log);
                 AlertTimer alerts = new AlertTimer(platform.bootstrapServers(), platform.topics().alerts());
                 Connection db = DriverManager.getConnection(platform.jdbcUrl(), "vigil", "vigil")) {
                long postmaster = postmasterPid(db);
                long self = ProcessHandle.current().pid(), dashboard = platform.dashboardPid();
                if (console != null) console.mark();
                long[] machine0 = machineTicks();
                long platform0 = ProcessCpu.ticks(self), pg0 = ProcessCpu.treeTicks(postmaster),
                        console0 = ProcessCpu.ticks(dashboard);
                long t0 = System.nanoTime();
                List<Double> storedLags = new ArrayList<>();
                FaultRotation faults = new FaultRotation(http, platform.faultControlPort(),
                        platform.simulator().topology());
                long nextLog = 60;
                while ((System.nanoTime() - t0) / 1e9 < minutes * 60.0) {
                    Thread.sleep(1000);
                    long elapsed = (long) ((System.nanoTime() - t0) / 1e9);
                    faults.due(elapsed, log);
                    storedLags.add(storedLagP99(db));
                    if (elapsed >= nextLog) {
                        nextLog += 60;
                        List<Double> lastMinute = sorted(storedLags.subList(Math.max(0, storedLags.size() - 60),
                                storedLags.size()));
                        List<Double> a = alerts.lags();
                        log.printf("  minute %d: sample → stored p99 over the last minute %.1f s; alerts timed %d"
                                + " (sample → alert p99 %.1f s)%n", elapsed / 60, pct(lastMinute, 0.99), a.size(),
                                pct(a, 0.99));
                    }
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                double platformCpu = cpuPct(ProcessCpu.ticks(self) - platform0, wall);
                double pgCpu = cpuPct(ProcessCpu.treeTicks(postmaster) - pg0, wall);
                double consoleCpu = cpuPct(ProcessCpu.ticks(dashboard) - console0, wall);
                long[] machine1 = machineTicks();
                double idle = 100.0 * (machine1[1] - machine0[1]) / Math.max(1, machine1[0] - machine0[0]);
                ConsoleSessions.Seen seen = console == null ? new ConsoleSessions.Seen(0, 0, List.of(), 0)
                        : console.measure(wall);
                int quarter = Math.max(1, storedLags.size() / 4);
                double first = pct(sorted(storedLags.subList(0, quarter)), 0.5);
                double last = pct(sorted(storedLags.subList(storedLags.size() - quarter, storedLags.size())), 0.5);
                List<Double> all = sorted(storedLags);
                List<Double> alertLags = alerts.lags();
                double storedP99 = pct(all, 0.99), alertP99 = pct(alertLags, 0.99);
                boolean keptUp = storedP99 <= LAG_GOAL_SECONDS && !alertLags.isEmpty() && alertP99 <= LAG_GOAL_SECONDS
                        && last <= first + GROWTH_TOLERANCE_SECONDS;
                return new Result(hosts, gpus, wall / 60, sessions, all.size(), pct(all, 0.5), storedP99,
                        all.isEmpty() ? Double.NaN : all.get(all.size() - 1), first, last, alertLags.size(),
                        pct(alertLags, 0.5), alertP99, platformCpu, pgCpu, consoleCpu, idle,
                        pct(seen.updateMs(), 0.5), pct(seen.updateMs(), 0.99), seen.updatesPerSecondPerSession(),
                        keptUp, Runtime.getRuntime().availableProcessors());
            }
        } finally {
            DashboardBenchmark.deleteQuietly(data);
        }
    }

    /** The tick's 99th percentile over the GPUs of how far each one's newest stored sample is behind now. */
    private static double storedLagP99(Connection db) throws Exception {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT percentile_disc(0.99) "
                + "WITHIN GROUP (ORDER BY extract(epoch FROM clock_timestamp() - ts)) FROM gpu_latest")) {
            rs.next();
            double v = rs.getDouble(1);
            return rs.wasNull() ? Double.NaN : v;
        }
    }

    /** The server process: the parent of this connection's backend. */
    private static long postmasterPid(Connection db) throws Exception {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return ProcessCpu.parent(rs.getLong(1));
        }
    }

    /** Total and idle (idle + iowait) jiffies of the machine, from /proc/stat. */
    static long[] machineTicks() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]); // user..steal
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    private static double cpuPct(long ticks, double wallSeconds) {
        return ticks / (double) ProcessCpu.TICKS_PER_SECOND / wallSeconds * 100;
    }

    private static List<Double> sorted(List<Double> values) {
        List<Double> out = new ArrayList<>();
        for (Double v : values) if (v != null && !v.isNaN()) out.add(v);
        Collections.sort(out);
        return out;
    }

    private static double pct(List<Double> sorted, double q) {
        return DashboardBenchmark.pct(sorted, q);
    }

    /**
     * Firing alerts as the notification job reads them (committed transactions only), each timed from its
     * {@code detectedAt} to its receipt here.
     */
    static final class AlertTimer implements AutoCloseable {
        private final List<Double> lags = Collections.synchronizedList(new ArrayList<>());
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        AlertTimer(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "vigil-bench-site-" + System.nanoTime());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                    new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic));
            thread = new Thread(() -> {
                try (consumer) {
                    while (running.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            long received = System.currentTimeMillis();
                            AlertEvent a = decode(r.value());
                            if (a != null && a.state() == AlertEvent.State.FIRING && a.detectedAt() != null) {
                                lags.add((received - a.detectedAt().toEpochMilli()) / 1000.0);
                            }
                        }
                    }
                }
            }, "bench-alert-timer");
            thread.setDaemon(true);
            thread.start();
        }

        private static AlertEvent decode(byte[] value) {
            try {
                return WireFormat.mapper().readValue(value, AlertEvent.class);
            } catch (IOException e) {
                return null;
            }
        }

        List<Double> lags() {
            synchronized (lags) {
                return sorted(lags);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(5_000);
        }
    }

    /** Faults through the simulator's control port: a thermal runaway every 3 minutes, a straggler every 5. */
    private static final class FaultRotation {
        private final HttpClient http;
        private final int port;
        private final ClusterTopology topology;
        private int thermals, stragglers;

        FaultRotation(HttpClient http, int port, ClusterTopology topology) {
            this.http = http;
            this.port = port;
            this.topology = topology;
        }

        void due(long elapsedSeconds, PrintStream log) throws Exception {
            if (elapsedSeconds >= 30 + 180L * thermals) {
                var host = topology.hosts().get((37 * (thermals + 1)) % topology.hosts().size());
                inject("kind=thermal&host=" + host.name() + "&gpu=" + (thermals % host.gpus()) + "&seconds=120", log);
                thermals++;
            }
            if (!topology.jobs().isEmpty() && elapsedSeconds >= 90 + 300L * stragglers) {
                var job = topology.jobs().get(stragglers % topology.jobs().size());
                inject("kind=straggler&job=" + job.jobId() + "&rank=" + (7 * stragglers + 3) % job.worldSize()
                        + "&seconds=150", log);
                stragglers++;
            }
        }

        private void inject(String query, PrintStream log) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/faults?" + query)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            log.print("  " + r.body());
        }
    }

    public static void main(String[] args) throws Exception {
        boolean json = false;
        int hosts = 2048, minutes = 30, sessions = 5;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--hosts" -> hosts = Integer.parseInt(args[++i]);
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--json, --hosts N, --minutes M, --sessions N)");
            }
        }
        if (hosts < 1 || minutes < 1 || sessions < 0) {
            throw new IllegalArgumentException("--hosts and --minutes must be at least 1, --sessions at least 0");
        }
        Result r = run(hosts, minutes, sessions, json ? System.err : System.out);
        if (json) {
            ObjectNode n = WireFormat.mapper().valueToTree(r);
            System.out.println(n.toPrettyString());
            return;
        }
        System.out.printf("%nSite, %,d hosts (%,d GPUs at 1 Hz), %.1f minutes, %d sessions, %d cores%n", r.hosts(),
                r.gpus(), r.minutes(), r.sessions(), r.cores());
        System.out.printf("  sample → stored       p50 %.1f s, p99 %.1f s, max %.1f s (goal p99 ≤ 5 s); first quarter %.1f s,"
                + " last quarter %.1f s%n", r.storedLagP50Seconds(), r.storedLagP99Seconds(), r.storedLagMaxSeconds(),
                r.storedLagFirstQuarterSeconds(), r.storedLagLastQuarterSeconds());
        System.out.printf("  sample → alert        p50 %.1f s, p99 %.1f s over %d firing alerts (goal p99 ≤ 5 s)%n",
                r.alertLagP50Seconds(), r.alertLagP99Seconds(), r.alertsTimed());
        System.out.printf("  CPU, %% of one core    platform JVM %.1f, PostgreSQL %.1f, console %.1f (goal ≤ 10); machine idle %.1f %%%n",
                r.platformCpuPctOfCore(), r.postgresCpuPctOfCore(), r.consoleCpuPctOfCore(), r.machineIdlePct());
        System.out.printf("  browser per update    p50 %.1f ms, p99 %.1f ms (goal ≤ 50 ms); %.2f updates/s per session%n",
                r.browserUpdateP50Ms(), r.browserUpdateP99Ms(), r.updatesPerSecondPerSession());
        System.out.println("  kept up               " + r.keptUp());
    }
}
