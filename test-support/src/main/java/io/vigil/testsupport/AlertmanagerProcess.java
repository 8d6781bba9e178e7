package io.vigil.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}), started on free loopback ports for tests and the
 * notification benchmark; several instances given each other as peers form an HA cluster, as in production.
 */
public final class AlertmanagerProcess implements AutoCloseable {

    public static final Path BINARY = Path.of(System.getProperty("vigil.alertmanager", "/usr/bin/prometheus-alertmanager"));

    private final Process process;
    private final Path dir;
    private final int[] ports;
    private final List<Integer> peers;
    private final String config;

    private AlertmanagerProcess(Process process, Path dir, int[] ports, List<Integer> peers, String config) {
        this.process = process;
        this.dir = dir;
        this.ports = ports.clone();
        this.peers = List.copyOf(peers);
        this.config = config;
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Free loopback ports for an instance: web and cluster. */
    public static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }

    /**
     * Starts an instance and waits until it is ready.
     *
     * @param ports  from {@link #freePorts()}
     * @param peers  cluster ports of the other instances ({@code 127.0.0.1:port}); empty for a single instance
     * @param config the alertmanager.yml text
     */
    public static AlertmanagerProcess start(Path dir, int[] ports, List<Integer> peers, String config)
            throws Exception {
        if (!installed()) {
            throw new IllegalStateException("Alertmanager not found at " + BINARY
                    + " (apt-get install prometheus-alertmanager; .ci/run installs it)");
        }
        Files.createDirectories(dir);
        Path configFile = dir.resolve("alertmanager.yml");
        Files.writeString(configFile, config);
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(),
                "--config.file=" + configFile,
                "--storage.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + ports[0],
                "--cluster.listen-address=127.0.0.1:" + ports[1],
                "--cluster.advertise-address=127.0.0.1:" + ports[1],
                "--cluster.settle-timeout=2s",
                "--log.level=warn"));
        for (int p : peers) cmd.add("--cluster.peer=127.0.0.1:" + p);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("alertmanager.log").toFile())).start();
        AlertmanagerProcess am = new AlertmanagerProcess(p, dir, ports, peers, config);
        am.awaitReady(Duration.ofSeconds(60), dir.resolve("alertmanager.log"));
        return am;
    }

    /**
     * Starts two instances in {@code dir/am0} and {@code dir/am1}, each the other's peer: an HA pair, as a site runs
     * Alertmanager. If the second cannot start, the first is stopped.
     */
    public static List<AlertmanagerProcess> startPair(Path dir, String config) throws Exception {
        int[] a = freePorts();
        int[] b = freePorts();
        AlertmanagerProcess first = start(dir.resolve("am0"), a, List.of(b[1]), config);
        try {
            return List.of(first, start(dir.resolve("am1"), b, List.of(a[1]), config));
        } catch (Exception | Error e) {
            first.close();
            throw e;
        }
    }

    public String url() {
        return "http://127.0.0.1:" + ports[0];
    }

    /** Kills the instance with SIGKILL, as a crashed host would lose it: no shutdown, no final snapshot. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Whether the process is running. */
    public boolean alive() {
        return process.isAlive();
    }

    /**
     * Starts the instance again, after {@link #kill()}, on the same ports, storage and peers: what a supervisor
     * restarting it would do. The new instance is returned; this one stays dead.
     */
    public AlertmanagerProcess restart() throws Exception {
        if (process.isAlive()) throw new IllegalStateException("still running: kill it first");
        return start(dir, ports, peers, config);
    }

    /** The process's CPU time so far (user + system), from /proc, in milliseconds; -1 where /proc is missing. */
    public long cpuMillis() {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // clock ticks of 10 ms
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    public int clusterPort() {
        return ports[1];
    }

    /** The alerts this instance holds ({@code GET /api/v2/alerts}), as JSON text. */
    public String alerts() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + "/api/v2/alerts")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitReady(Duration timeout, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Alertmanager exited: " + Files.readString(log));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Alertmanager not ready after " + timeout + ": " + Files.readString(log));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
}
