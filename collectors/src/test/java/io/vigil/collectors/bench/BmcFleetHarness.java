package io.vigil.collectors.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.redfish.RedfishClient;
import io.vigil.collectors.redfish.RedfishSource;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * 500 BMCs at a 10 s interval, as issue #9 sizes a real site: each BMC serves Vigil's GB300 compute-tray fixture
 * (4 GPUs with metrics, memory and sensors, a tray with coolant and leak detectors) under its own path on one
 * loopback server, answers every request after a random 100–2,000 ms (uniform, seeded), and supports
 * {@code $expand=.($levels=1)} as bmcweb does. The real {@link RedfishSource}s scrape all 500 at once per round,
 * at most 4 requests in flight per BMC and 2,048 overall, as {@code ./vigil collect} configures them by default.
 *
 * <p>The first {@value #WARM_UP} scrapes of each BMC are warm-up (the layout is discovered) and reported apart.
 * Two ways of reading, measured in the same run: the baseline walks every BMC's whole tree each scrape, one
 * level at a time; Vigil keeps the layout and asks for the last scrape's reading resources all at once. Reported
 * per way: requests per BMC per scrape, scrape time per BMC (p50, p95, max), how many BMCs finished within the
 * interval, and the collector's CPU (the process's CPU less the simulated BMCs' server threads).
 */
public final class BmcFleetHarness {

    public static void main(String[] args) throws Exception {
        keepAliveAcrossTheSimulatedFleet();
        int bmcs = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.println(measure(bmcs, rounds, Duration.ofSeconds(10)));
        System.exit(0);
    }

    /**
     * The simulated BMCs share one loopback address, where a real site has one per BMC; the JDK keeps only 5 idle
     * connections per address by default, so without this every request would open a new connection.
     */
    static void keepAliveAcrossTheSimulatedFleet() {
        System.setProperty("http.maxConnections", "4096");
    }

    /** Runs both ways; returns the report, one line per way. */
    public static String measure(int bmcs, int rounds, Duration interval) throws Exception {
        Path tray = Path.of(System.getProperty("vigil.fixtures", "collectors/src/test/resources/redfish"))
                .resolve("nvidia-gb300-tray");
        if (!Files.isDirectory(tray)) tray = Path.of("src/test/resources/redfish/nvidia-gb300-tray");
        int minMs = Integer.getInteger("vigil.bmc.min-ms", 100), maxMs = Integer.getInteger("vigil.bmc.max-ms", 2000);
        try (SimulatedBmcs server = new SimulatedBmcs(tray, minMs, maxMs)) {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "%d BMCs (GB300 tray layout), %d-%d ms per request, interval %d s,"
                    + " %d rounds (the first discovers)%n", bmcs, minMs, maxMs, interval.toSeconds(), rounds));
            out.append(run("walk everything (baseline)", RedfishSource.Discovery.walkEverything(), server, bmcs, rounds,
                    interval)).append('\n');
            out.append(run("vigil (kept layout, $expand)", RedfishSource.Discovery.defaults(), server, bmcs, rounds,
                    interval));
            return out.toString();
        }
    }

    private static String run(String name, RedfishSource.Discovery discovery, SimulatedBmcs server, int bmcs,
                              int rounds, Duration interval) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Semaphore overall = new Semaphore(2048);
        List<RedfishClient> clients = new ArrayList<>();
        List<RedfishSource> sources = new ArrayList<>();
        OriginStamper origin = new OriginStamper("bench", 1);
        for (int i = 0; i < bmcs; i++) {
            RedfishClient c = new RedfishClient(http, URI.create(server.url() + "/bmc" + i), Duration.ofSeconds(5),
                    RedfishClient.Auth.none(), 2, 4, overall);
            clients.add(c);
            sources.add(new RedfishSource(c, new RedfishSource.Placement("dc1", "A", "R" + i, "n" + i), origin,
                    InstantSource.system(), interval, discovery));
        }
        ExecutorService workers = Executors.newFixedThreadPool(Math.min(512, bmcs));
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> steadyMs = new ArrayList<>();
        long coldRequests = 0, steadyRequests = 0, steadyScrapes = 0, withinInterval = 0, records = 0, errors = 0;
        long cpuStart = 0, serverCpuStart = 0, wallStart = 0;
        List<Integer> warmUpComplete = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            if (round == WARM_UP) {
                cpuStart = os.getProcessCpuTime();
                serverCpuStart = server.cpuNanos(threads);
                wallStart = System.nanoTime();
            }
            long roundStart = System.nanoTime();
            long requestsBefore = clients.stream().mapToLong(RedfishClient::requests).sum();
            List<Future<long[]>> futures = new ArrayList<>();
            for (RedfishSource s : sources) {
                futures.add(workers.submit(() -> {
                    long t0 = System.nanoTime();
                    int n;
                    try {
                        n = s.scrape().size();
                    } catch (Exception e) {
                        n = -1;
                    }
                    return new long[] {System.nanoTime() - t0, n, s.lastResourceErrors().size()};
                }));
            }
            for (Future<long[]> f : futures) {
                long[] r = f.get();
                if (round >= WARM_UP) {
                    steadyMs.add(r[0] / 1e6);
                    if (r[0] <= interval.toNanos() && r[1] > 0 && r[2] == 0) withinInterval++;
                    records += Math.max(0, r[1]);
                    errors += r[2] + (r[1] < 0 ? 1 : 0);
                    steadyScrapes++;
                }
            }
            long requests = clients.stream().mapToLong(RedfishClient::requests).sum() - requestsBefore;
            if (round == 0) coldRequests = requests;
            if (round < WARM_UP) warmUpComplete.add(futures.size() - countFailed(futures, interval));
            else steadyRequests += requests;
            long left = interval.toNanos() - (System.nanoTime() - roundStart);
            if (left > 0 && round < rounds - 1) TimeUnit.NANOSECONDS.sleep(left);
        }
        double wallS = (System.nanoTime() - wallStart) / 1e9;
        double collectorCpuS = (os.getProcessCpuTime() - cpuStart - (server.cpuNanos(threads) - serverCpuStart)) / 1e9;
        workers.shutdownNow();
        double[] ms = steadyMs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format(Locale.ROOT, "  %-30s complete in warm-up scrapes: %s of %d | requests/BMC/scrape: first %.1f,"
                        + " then %.1f | scrape time p50 %.0f ms,"
                        + " p95 %.0f ms, max %.0f ms | %d of %d scrapes complete within %d s | records/scrape %.1f,"
                        + " resource errors %d | collector CPU %.1f%% of one core",
                name, warmUpComplete, bmcs, coldRequests / (double) bmcs, steadyRequests / (double) steadyScrapes, pct(ms, 50), pct(ms, 95),
                ms.length == 0 ? 0 : ms[ms.length - 1], withinInterval, steadyScrapes, interval.toSeconds(),
                records / (double) Math.max(1, steadyScrapes), errors, 100 * collectorCpuS / wallS);
    }

    /** Scrapes before measuring: the first discovers the layout, the second reads what the first could not reach. */
    static final int WARM_UP = 2;

    private static int countFailed(List<Future<long[]>> futures, Duration interval) throws Exception {
        int failed = 0;
        for (Future<long[]> f : futures) {
            long[] r = f.get();
            if (r[0] > interval.toNanos() || r[1] <= 0 || r[2] > 0) failed++;
        }
        return failed;
    }

    private static double pct(double[] sorted, int p) {
        if (sorted.length == 0) return 0;
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    /**
     * BMCs on one loopback server, each under {@code /bmc<i>}: a mockup folder, every answer delayed by a random
     * latency without holding a thread (answers are sent from a scheduler), {@code $expand=.($levels=1)} inlining a
     * collection's members, and a service root that says so.
     */
    static final class SimulatedBmcs implements AutoCloseable {
        private final HttpServer server;
        private final ScheduledExecutorService answer = Executors.newScheduledThreadPool(4, r -> {
            Thread t = new Thread(r, "bmc-sim-answer");
            t.setDaemon(true);
            return t;
        });
        private final ExecutorService accept = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "bmc-sim-serve");
            t.setDaemon(true);
            return t;
        });
        private final Map<String, byte[]> plain = new HashMap<>(), expanded = new HashMap<>();
        private final SplittableRandom random = new SplittableRandom(42);
        final AtomicLong served = new AtomicLong();

        SimulatedBmcs(Path mockup, int minMs, int maxMs) throws IOException {
            Path root = mockup.toAbsolutePath().normalize();
            try (var files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.getFileName().toString().equals("index.json")).toList()) {
                    String rel = root.relativize(f.getParent()).toString().replace('\\', '/');
                    String path = "/redfish/v1" + (rel.isEmpty() ? "" : "/" + rel);
                    JsonNode doc = WireFormat.mapper().readTree(f.toFile());
                    if (rel.isEmpty()) {
                        ((ObjectNode) doc).withObject("/ProtocolFeaturesSupported").withObject("/ExpandQuery")
                                .put("Levels", true).put("MaxLevels", 6);
                    }
                    plain.put(path, WireFormat.mapper().writeValueAsBytes(doc));
                }
            }
            for (var e : plain.entrySet()) {
                JsonNode doc = WireFormat.mapper().readTree(e.getValue());
                if (doc.path("Members").isArray()) {
                    ArrayNode inlined = WireFormat.mapper().createArrayNode();
                    for (JsonNode m : doc.path("Members")) {
                        byte[] member = plain.get(m.path("@odata.id").asText());
                        inlined.add(member == null ? m : WireFormat.mapper().readTree(member));
                    }
                    ((ObjectNode) doc).set("Members", inlined);
                }
                expanded.put(e.getKey(), WireFormat.mapper().writeValueAsBytes(doc));
            }
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8192);
            server.setExecutor(accept);
            server.createContext("/", ex -> {
                String full = ex.getRequestURI().getPath();
                int slash = full.indexOf('/', 1);
                String path = slash < 0 ? "" : full.substring(slash).replaceAll("/+$", "");
                String query = ex.getRequestURI().getRawQuery();
                boolean expand = query != null && query.contains("expand");
                byte[] body = (expand ? expanded : plain).get(path);
                long delay;
                synchronized (random) {
                    delay = minMs + random.nextInt(maxMs - minMs + 1);
                }
                ex.getRequestBody().readAllBytes();
                answer.schedule(() -> reply(ex, body), delay, TimeUnit.MILLISECONDS);
            });
            server.start();
        }

        private void reply(HttpExchange ex, byte[] body) {
            try {
                served.incrementAndGet();
                byte[] b = body == null ? "{\"error\":\"not found\"}".getBytes() : body;
                ex.getResponseHeaders().add("Content-Type", "application/json");
                ex.sendResponseHeaders(body == null ? 404 : 200, b.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            } catch (IOException e) {
                ex.close();
            }
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        /** CPU time of the simulated BMCs' own threads. */
        long cpuNanos(ThreadMXBean mx) {
            long sum = 0;
            for (long id : mx.getAllThreadIds()) {
                var info = mx.getThreadInfo(id);
                if (info != null && (info.getThreadName().startsWith("bmc-sim") || info.getThreadName().startsWith("HTTP-Dispatcher"))) {
                    long t = mx.getThreadCpuTime(id);
                    if (t > 0) sum += t;
                }
            }
            return sum;
        }

        @Override
        public void close() {
            server.stop(0);
            answer.shutdownNow();
            accept.shutdownNow();
        }
    }

    private BmcFleetHarness() {}

    @SuppressWarnings("unused")
    private static String join(long[] a) {
        return Arrays.toString(a);
    }
}
