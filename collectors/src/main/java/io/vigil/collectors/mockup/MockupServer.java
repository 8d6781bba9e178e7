package io.vigil.collectors.mockup;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Serves recorded devices on loopback so collectors can be tried and tested without hardware: a DMTF Redfish
 * mockup folder as a read-only Redfish service ({@code /redfish/v1/<path>} → {@code <folder>/<path>/index.json}),
 * or a recorded dcgm-exporter scrape as {@code /metrics}.
 *
 * <p>{@code main(DIR)} serves the shared test data the way {@code collectors/examples/mockups.yaml} expects it:
 * DMTF Redfish mockups on 127.0.0.1:18001-18007 and dcgm-exporter scrapes on :19400 and :19401; and, from a copy
 * of the project's own fixtures that it makes under {@code .vigil/mockups} (so their states can be edited while
 * they are served), NVIDIA's GB300 tray layout on :18008, an NVL rack power shelf on :18009, a tray's leak detectors
 * and Delta- and Lite-On-style shelves on :18010 to :18012. Files are read
 * on every request: an edited reading is served at once.
 */
public final class MockupServer implements AutoCloseable {

    private final HttpServer server;

    private MockupServer(HttpServer server) {
        this.server = server;
    }

    public static MockupServer redfish(Path folder, int port) throws IOException {
        Path mockup = folder.toAbsolutePath().normalize();
        if (!Files.isRegularFile(mockup.resolve("index.json"))) {
            throw new IOException(mockup + " is not a Redfish mockup (no index.json)");
        }
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        s.createContext("/redfish/v1", ex -> {
            String rest = ex.getRequestURI().getPath().substring("/redfish/v1".length());
            Path file = mockup.resolve(rest.replaceAll("^/+", "").replaceAll("/+$", "")).normalize().resolve("index.json");
            if (!ex.getRequestMethod().equals("GET") || !file.startsWith(mockup) || !Files.isRegularFile(file)) {
                reply(ex, 404, "application/json", "{\"error\":\"not found\"}".getBytes());
            } else {
                reply(ex, 200, "application/json", Files.readAllBytes(file));
            }
        });
        s.start();
        return new MockupServer(s);
    }

    public static MockupServer metrics(Path scrape, int port) throws IOException {
        byte[] body = Files.readAllBytes(scrape);
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        s.createContext("/metrics", ex -> reply(ex, 200, "text/plain; version=0.0.4", body));
        s.start();
        return new MockupServer(s);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Copies a mockup folder, replacing an earlier copy, so that edits to the copy never touch the original. */
    public static void copyTree(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            try (var old = Files.walk(to)) {
                for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("Usage: serve-mockups.sh TESTDATA-DIR   (the shared test data folder)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath().normalize();
        List<MockupServer> servers = new ArrayList<>();
        String[][] redfish = {{"18001", "public-rackmount1"}, {"18002", "public-liquid-cooled-server"},
                {"18003", "public-cooling-unit"}, {"18004", "public-pdu"}, {"18005", "public-power-shelf"},
                {"18006", "public-telemetry"}, {"18007", "public-bladed"}};
        for (String[] r : redfish) {
            servers.add(redfish(dir.resolve("redfish/dmtf").resolve(r[1]), Integer.parseInt(r[0])));
            System.out.println("Redfish " + r[1] + " on http://127.0.0.1:" + r[0] + "/redfish/v1");
        }
        Path fixtures = Path.of("collectors/src/test/resources/redfish");
        if (Files.isDirectory(fixtures)) {
            Path copy = Path.of(".vigil/mockups").toAbsolutePath();
            String[][] own = {{"18008", "nvidia-gb300-tray"}, {"18009", "nvl-power-shelf"},
                {"18010", "nvidia-tray-leak-detectors"}, {"18011", "delta-nvl-power-shelf"},
                {"18012", "liteon-nvl-power-shelf"}};
            for (String[] r : own) {
                Path target = copy.resolve(r[1]);
                copyTree(fixtures.resolve(r[1]), target);
                servers.add(redfish(target, Integer.parseInt(r[0])));
                System.out.println("Redfish " + r[1] + " (Vigil's fixture, served from " + target + ") on http://127.0.0.1:"
                        + r[0] + "/redfish/v1");
            }
            System.out.println("To try a leak: sed -i 's/\"DetectorState\": \"OK\"/\"DetectorState\": \"Critical\"/' "
                    + copy.resolve("nvidia-gb300-tray/Chassis/Compute_Tray_0/ThermalSubsystem/LeakDetection/LeakDetectors"
                    + "/ColdPlate_GPU_2_3/index.json"));
            System.out.println("Or in NVIDIA's words: sed -i 's/\"DetectorState\": \"OK\"/\"DetectorState\": \"LeakDetected\"/' "
                    + copy.resolve("nvidia-tray-leak-detectors/Chassis/Compute_Tray_0/LeakDetectors"
                    + "/LeakDetector_1_Manifold/index.json"));
        }
        servers.add(metrics(dir.resolve("dcgm-exporter/scrapes/h100x8.prom"), 19400));
        System.out.println("dcgm-exporter h100x8.prom on http://127.0.0.1:19400/metrics");
        servers.add(metrics(dir.resolve("dcgm-exporter/scrapes/l4-aws.prom"), 19401));
        System.out.println("dcgm-exporter l4-aws.prom on http://127.0.0.1:19401/metrics");
        System.out.println("Serving; Ctrl-C to stop.");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            servers.forEach(MockupServer::close);
            stop.countDown();
        }));
        stop.await();
    }
}
