package io.vigil.evaluation;

import io.vigil.launcher.PlatformConfig;
import io.vigil.launcher.cluster.ClusterConfig;
import io.vigil.launcher.cluster.LocalCluster;
import io.vigil.model.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code ./vigil cluster} for evaluation (failure scenarios, the cluster benchmark): fresh data in a temporary
 * directory, every port a free one (so it runs beside a demo or another test), no dashboard. Closing it stops every
 * process and deletes the data.
 */
public final class IsolatedCluster implements AutoCloseable {

    private final LocalCluster cluster;
    private final PlatformConfig platform;
    private final Path data;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Ctrl-C or a SIGTERM to a benchmark or chaos run stops its cluster too: no process, port or data left. */
    private final Thread onExit = new Thread(this::close, "vigil-isolated-cluster-stop");

    private IsolatedCluster(LocalCluster cluster, PlatformConfig platform, Path data) {
        this.cluster = cluster;
        this.platform = platform;
        this.data = data;
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /**
     * @param settings   settings beyond the defaults (e.g. {@code cluster.collectors})
     * @param perProcess settings of single processes, by process name
     */
    public static IsolatedCluster start(Path home, int hosts, Map<String, String> settings,
                                        Map<String, Map<String, String>> perProcess, PrintStream log)
            throws Exception {
        Path data = Files.createTempDirectory("vigil-cluster");
        Map<String, String> s = new HashMap<>();
        s.put("data.dir", data.toString());
        s.put("data.fresh", "true");
        s.put("dashboard.enabled", "false");
        s.put("simulator.hosts", String.valueOf(hosts));
        s.put("kafka.embedded-port", String.valueOf(freeRun(3)));
        s.put("cluster.kafka-controller-port", String.valueOf(freeRun(3)));
        s.put("cluster.flink-rest-port", String.valueOf(freeRun(1)));
        s.put("cluster.flink-rpc-port", String.valueOf(freeRun(1)));
        s.put("db.embedded-port", String.valueOf(freeRun(1)));
        s.put("cluster.metrics-base-port", String.valueOf(freeRun(41)));
        s.putAll(settings);
        PlatformConfig platform = PlatformConfig.from(Settings.load(PlatformConfig.catalog(), null, Map.of(), s), home);
        try {
            return new IsolatedCluster(LocalCluster.start(ClusterConfig.from(platform), log, "evaluation", perProcess),
                    platform, data);
        } catch (Exception | Error e) {
            deleteQuietly(data);
            throw e;
        }
    }

    public LocalCluster cluster() {
        return cluster;
    }

    public Settings settings() {
        return platform.settings();
    }

    /**
     * The processes whose Prometheus {@code /metrics} does not answer with Vigil's samples yet: the Flink processes
     * (one of them runs the jobs' tasks), Kafka node 1, writer 1 and collector 1, on the ports
     * {@code cluster.metrics-base-port} gives them. Empty when all answer.
     */
    public java.util.List<String> metricsMissing() {
        int base = platform.settings().integer("cluster.metrics-base-port");
        java.util.List<String> missing = new java.util.ArrayList<>();
        boolean flink = false;
        for (int p = base; p < base + 10 && !flink; p++) flink = vigilSamples(p);
        if (!flink) missing.add("flink (" + base + "-" + (base + 9) + ")");
        if (!vigilSamples(base + 11)) missing.add("kafka-1 (" + (base + 11) + ")");
        if (!vigilSamples(base + 21)) missing.add("writer-1 (" + (base + 21) + ")");
        if (!vigilSamples(base + 31)) missing.add("collector-1 (" + (base + 31) + ")");
        return missing;
    }

    private static boolean vigilSamples(int port) {
        try {
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(java.time.Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().lines().anyMatch(l -> l.startsWith("vigil_"));
        } catch (Exception e) {
            return false;
        }
    }

    /** The first column of the first row of {@code sql} as a number; 0 when the database does not answer. */
    public long count(String sql) {
        try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), cluster.dbUser(), cluster.dbPassword());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    /** Stops everything and deletes the data, unless {@code -Dvigil.keep-data=true} asks to keep it (logs too). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        if (Thread.currentThread() != onExit) {
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting and the hook runs anyway; this close came first.
            }
        }
        cluster.close();
        if (Boolean.getBoolean("vigil.keep-data")) {
            System.err.println("Kept the cluster's data and logs in " + data);
        } else {
            deleteQuietly(data);
        }
    }

    /** The first of {@code n} consecutive free ports on the loopback address. */
    static int freeRun(int n) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                base = s.getLocalPort();
            }
            if (base + n > 65535) continue;
            boolean free = true;
            for (int p = base; p < base + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    // free
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) return base;
        }
        throw new IOException("no run of " + n + " free ports");
    }

    public static void deleteQuietly(Path root) {
        try {
            io.vigil.launcher.Directories.deleteTree(root);
        } catch (IOException e) {
            // A temporary directory; the OS cleans it eventually.
        }
    }
}
