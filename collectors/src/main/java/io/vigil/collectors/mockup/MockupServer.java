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
 * Redfish mockups on 127.0.0.1:18001-18004 and dcgm-exporter scrapes on :19400 and :19401.
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

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("Usage: serve-mockups.sh TESTDATA-DIR   (the shared test data folder)");
            System.exit(2);
        }
        Path dir = Path.of(args[0]).toAbsolutePath().normalize();
        List<MockupServer> servers = new ArrayList<>();
        String[][] redfish = {{"18001", "public-rackmount1"}, {"18002", "public-liquid-cooled-server"},
                {"18003", "public-cooling-unit"}, {"18004", "public-pdu"}};
        for (String[] r : redfish) {
            servers.add(redfish(dir.resolve("redfish/dmtf").resolve(r[1]), Integer.parseInt(r[0])));
            System.out.println("Redfish " + r[1] + " on http://127.0.0.1:" + r[0] + "/redfish/v1");
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
