package io.vigil.evaluation.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vigil.launcher.Platform;
import io.vigil.launcher.PlatformConfig;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./vigil bench dashboard [--json] [--gpus N] [--sessions N] [--seconds S]}: the overview of a simulated site
 * (16,384 GPUs by default) live at 1 Hz with several signed-in browser sessions, on the embedded platform the demo
 * runs. Measured in one run:
 * <ul>
 * <li>the dashboard JVM's CPU (from /proc) with no session open (the baseline) and with the sessions open;</li>
 * <li>bytes pushed to each session per second (the WebSocket frames Playwright sees), with the overview coloured
 * by temperature, so that nearly every refresh changes the picture;</li>
 * <li>the browser's time per update: decoding the frame and drawing the canvas (the heatmap's own timing), and
 * long tasks (over 50 ms) the browser reports;</li>
 * <li>how long the shared refresher's database read takes.</li>
 * </ul>
 * Goals (issue 12): server under 10 % of one core, under 200 KB/s per session, frames under 50 ms.
 */
public final class DashboardBenchmark {

    public record Result(int gpus, int gpusShown, int sessions, int seconds, double idleCpuPctOfCore,
                         double cpuPctOfCore, double cpuPctPerSession, double kbPerSecondPerSession,
                         double updatesPerSecondPerSession, double frameP50Ms, double frameP99Ms,
                         double frameMaxMs, int longTasks, double refreshReadP50Ms, double refreshReadMaxMs,
                         double dataLagP50Seconds, int cores) {}

    private DashboardBenchmark() {}

    public static Result run(int gpus, int sessions, int seconds, PrintStream log) throws Exception {
        Path data = Files.createTempDirectory("vigil-bench-dashboard");
        Map<String, String> o = new HashMap<>();
        o.put("kafka.embedded-port", String.valueOf(freePort()));
        o.put("db.embedded-port", String.valueOf(freePort()));
        o.put("dashboard.port", String.valueOf(freePort()));
        o.put("simulator.control-port", "0");
        o.put("data.dir", data.resolve("data").toString());
        o.put("dashboard.users-file", data.resolve("users").toString());
        o.put("simulator.hosts", String.valueOf(Math.max(1, gpus / 8)));
        o.put("simulator.fault-script", "none");
        Path home = Path.of(System.getProperty("vigil.home", ".")).toAbsolutePath().normalize();
        PlatformConfig config = PlatformConfig.from(Settings.load(PlatformConfig.catalog(), null, System.getenv(), o), home);
        log.println("Starting the platform with " + gpus + " simulated GPUs...");
        try (Platform platform = Platform.start(config, log)) {
            String base = platform.dashboardUrl();
            String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + platform.adminPassword())
                    .getBytes(StandardCharsets.UTF_8));
            HttpClient http = HttpClient.newHttpClient();
            int shown = 0;
            Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
            while (Instant.now().isBefore(deadline)) {
                JsonNode fleet = fleet(http, base, auth);
                shown = fleet.path("gpus").asInt();
                if (shown >= gpus * 0.98) break;
                Thread.sleep(2000);
            }
            log.printf("%d GPUs in the live view; measuring %d s without sessions (baseline)...%n", shown, seconds);
            long pid = platform.dashboardPid();
            double idle = cpuPct(pid, seconds);

            try (ConsoleSessions console = ConsoleSessions.open(base, "admin", platform.adminPassword(), sessions, log)) {
                log.printf("%d sessions on the overview; measuring %d s...%n", sessions, seconds);
                Thread.sleep(3000); // past the first full layout
                console.mark();
                List<Double> reads = new ArrayList<>();
                List<Double> lags = new ArrayList<>();
                long cpuStart = cpuTicks(pid);
                long t0 = System.nanoTime();
                while ((System.nanoTime() - t0) / 1e9 < seconds) {
                    Thread.sleep(1000);
                    // The read time of the shared refresher, sampled once a second (a GET of a cached snapshot).
                    JsonNode f = fleet(http, base, auth);
                    reads.add(f.path("readMillis").asDouble());
                    if (f.hasNonNull("newestSample") && f.hasNonNull("readAt")) {
                        // How far behind the wall clock the newest stored sample is when the refresher reads it.
                        lags.add(Duration.between(Instant.parse(f.get("newestSample").asText()),
                                Instant.parse(f.get("readAt").asText())).toMillis() / 1000.0);
                    }
                }
                double wall = (System.nanoTime() - t0) / 1e9;
                long cpuEnd = cpuTicks(pid);
                ConsoleSessions.Seen seen = console.measure(wall);
                console.screenshot(Path.of("target", "bench-dashboard-overview.png"));
                double cpu = (cpuEnd - cpuStart) / (double) TICKS / wall * 100;
                List<Double> frameMs = seen.updateMs();
                reads.sort(Double::compare);
                lags.sort(Double::compare);
                return new Result(gpus, shown, sessions, seconds, idle, cpu, (cpu - idle) / sessions,
                        seen.kbPerSecondPerSession(), seen.updatesPerSecondPerSession(), pct(frameMs, 0.5),
                        pct(frameMs, 0.99), frameMs.isEmpty() ? Double.NaN : frameMs.get(frameMs.size() - 1),
                        seen.longTasks(), pct(reads, 0.5), reads.isEmpty() ? Double.NaN : reads.get(reads.size() - 1),
                        pct(lags, 0.5), Runtime.getRuntime().availableProcessors());
            }
        } finally {
            deleteQuietly(data);
        }
    }

    static final int TICKS = ProcessCpu.TICKS_PER_SECOND;

    static long cpuTicks(long pid) {
        return ProcessCpu.ticks(pid);
    }

    static double cpuPct(long pid, int seconds) throws Exception {
        long c0 = cpuTicks(pid);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        double wall = (System.nanoTime() - t0) / 1e9;
        return (cpuTicks(pid) - c0) / (double) TICKS / wall * 100;
    }

    static JsonNode fleet(HttpClient http, String base, String auth) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/fleet"))
                .header("Authorization", auth).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? WireFormat.mapper().readTree(r.body()) : WireFormat.mapper().createObjectNode();
    }

    static double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) return Double.NaN;
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteQuietly(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }

    public static void main(String[] args) throws Exception {
        boolean json = false;
        int gpus = 16_384, sessions = 5, seconds = 60;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--gpus" -> gpus = Integer.parseInt(args[++i]);
                case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--json, --gpus N, --sessions N, --seconds S)");
            }
        }
        if (gpus < 8 || sessions < 1 || seconds < 5) {
            throw new IllegalArgumentException("--gpus must be at least 8, --sessions at least 1, --seconds at least 5");
        }
        Result r = run(gpus, sessions, seconds, json ? System.err : System.out);
        if (json) {
            ObjectNode n = WireFormat.mapper().valueToTree(r);
            System.out.println(n.toPrettyString());
            return;
        }
        System.out.printf("%nDashboard overview, %,d GPUs (%,d shown), %d sessions, %d s, %d cores%n", r.gpus(),
                r.gpusShown(), r.sessions(), r.seconds(), r.cores());
        System.out.printf("  server CPU, no session (baseline)   %6.1f %% of one core%n", r.idleCpuPctOfCore());
        System.out.printf("  server CPU, %d sessions              %6.1f %% of one core (goal < 10 %%)%n", r.sessions(),
                r.cpuPctOfCore());
        System.out.printf("  per session above the baseline      %6.1f %% of one core%n", r.cpuPctPerSession());
        System.out.printf("  pushed per session                  %6.1f KB/s (goal < 200 KB/s)%n", r.kbPerSecondPerSession());
        System.out.printf("  canvas updates per session          %6.2f per s (only frames whose colours changed are sent)%n",
                r.updatesPerSecondPerSession());
        System.out.printf("  browser time per update             p50 %.1f ms, p99 %.1f ms, max %.1f ms (goal < 50 ms); long tasks %d%n",
                r.frameP50Ms(), r.frameP99Ms(), r.frameMaxMs(), r.longTasks());
        System.out.printf("  shared refresher's database read    p50 %.0f ms, max %.0f ms (once per second for all sessions)%n",
                r.refreshReadP50Ms(), r.refreshReadMaxMs());
        System.out.printf("  newest stored sample behind wall    p50 %.1f s (the pipeline's lag on this machine, not the console's)%n",
                r.dataLagP50Seconds());
    }
}
