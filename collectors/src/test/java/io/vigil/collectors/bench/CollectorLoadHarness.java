package io.vigil.collectors.bench;

import com.sun.net.httpserver.HttpServer;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.ScrapeLoop;
import io.vigil.collectors.Source;
import io.vigil.collectors.TelemetrySink;
import io.vigil.collectors.dcgm.DcgmExporterScraper;
import io.vigil.collectors.dcgm.DcgmScrape;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.WireFormat;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole dcgm-exporter collection path under the target load: 128 endpoints on loopback, each serving an 8-GPU
 * scrape, scraped every second by the real scrape loop (HTTP, parser, mapping, JSON encoding). Measures the CPU
 * time of the collector's threads only (the scrape workers, which do the HTTP, and the tick), not the endpoints'.
 */
public final class CollectorLoadHarness {

    public static void main(String[] args) throws Exception {
        System.out.println(measure(args.length > 0 ? Integer.parseInt(args[0]) : 30));
        System.exit(0);
    }

    /** Runs the load for {@code seconds} after a 5 s warm-up; returns one line with the figures. */
    public static String measure(int seconds) throws Exception {
        int endpoints = 128;
        byte[] body = DcgmParseBenchmark.eightGpuScrape().getBytes(StandardCharsets.UTF_8);
        List<HttpServer> servers = new ArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.ExecutorService endpointThreads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "endpoint");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(endpointThreads);
        for (int i = 0; i < endpoints; i++) {
            server.createContext("/e" + i + "/metrics", ex -> {
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
        }
        server.start();
        servers.add(server);
        OriginStamper origin = new OriginStamper("load", 1);
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            sources.add(new DcgmExporterScraper(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                    + "/e" + i + "/metrics"), Duration.ofSeconds(2),
                    new DcgmScrape.Placement("dc1", "A", "A01", "h" + i), origin, InstantSource.system()));
        }
        AtomicLong samples = new AtomicLong(), bytes = new AtomicLong();
        TelemetrySink encodeOnly = new TelemetrySink() {
            public void publish(TelemetryRecord r) {
                bytes.addAndGet(WireFormat.encode(r).length);
                samples.incrementAndGet();
            }
            public void flush() {}
            public void close() {}
        };
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (ScrapeLoop loop = new ScrapeLoop(sources, Duration.ofSeconds(1), encodeOnly, InstantSource.system())) {
            loop.start();
            Thread.sleep(5_000); // warm-up: JIT, connections
            Map<Long, Long> before = collectorCpu(mx);
            long samplesBefore = samples.get(), start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            Map<Long, Long> after = collectorCpu(mx);
            double wall = (System.nanoTime() - start) / 1e9;
            long cpu = 0;
            for (Map.Entry<Long, Long> e : after.entrySet()) {
                cpu += e.getValue() - before.getOrDefault(e.getKey(), 0L);
            }
            long n = samples.get() - samplesBefore;
            return String.format(Locale.ROOT, "%d endpoints x 8 GPUs every 1 s for %.0f s: %d samples (%.0f/s), "
                            + "collector CPU %.2f s = %.2f%% of one core, %.1f us per sample%n",
                    endpoints, wall, n, n / wall, cpu / 1e9, cpu / 1e9 / wall * 100, cpu / 1e3 / Math.max(1, n));
        } finally {
            servers.forEach(s -> s.stop(0));
            endpointThreads.shutdownNow();
        }
    }

    /** CPU time (ns) of the collector's threads: scrape workers, the tick, and the HTTP client's threads. */
    private static Map<Long, Long> collectorCpu(ThreadMXBean mx) {
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && (t.getThreadName().startsWith("vigil-collector") || t.getThreadName().startsWith("HttpClient"))) {
                long ns = mx.getThreadCpuTime(t.getThreadId());
                if (ns > 0) cpu.put(t.getThreadId(), ns);
            }
        }
        return cpu;
    }
}
