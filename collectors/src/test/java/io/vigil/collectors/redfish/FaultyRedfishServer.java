package io.vigil.collectors.redfish;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Redfish mockup folder served on loopback, with faults injected per resource path: the ways real BMCs fail.
 * Everything not named in {@link #fail} is served as the mockup has it.
 */
final class FaultyRedfishServer implements AutoCloseable {

    enum Fault {
        /** HTTP 500 every time. */
        HTTP_500,
        /** A 200 whose (chunked) body stops in the middle of the JSON. */
        TRUNCATED_JSON,
        /** Headers and half of the body, then silence until the server closes. */
        HALF_BODY_THEN_SILENCE,
        /** Not JSON at all. */
        GARBAGE
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, String> substitutes = new ConcurrentHashMap<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    FaultyRedfishServer(Path folder) throws IOException {
        Path mockup = folder.toAbsolutePath().normalize();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/redfish/v1", ex -> {
            String path = ex.getRequestURI().getPath().replaceAll("/+$", "");
            String served = substitutes.getOrDefault(path, path);
            String rest = served.substring("/redfish/v1".length());
            Path file = mockup.resolve(rest.replaceAll("^/+", "")).normalize().resolve("index.json");
            if (!file.startsWith(mockup) || !Files.isRegularFile(file)) {
                reply(ex, 404, "{\"error\":\"not found\"}".getBytes());
                return;
            }
            byte[] body = Files.readAllBytes(file);
            Fault fault = faults.get(path);
            if (fault == null) {
                reply(ex, 200, body);
                return;
            }
            switch (fault) {
                case HTTP_500 -> reply(ex, 500, "{\"error\":\"internal\"}".getBytes());
                case GARBAGE -> reply(ex, 200, "<html>502 Bad Gateway</html>".getBytes());
                case TRUNCATED_JSON -> {
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, 0);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body, 0, body.length / 2);
                    }
                }
                case HALF_BODY_THEN_SILENCE -> {
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, body.length);
                    OutputStream out = ex.getResponseBody();
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    try {
                        closing.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.close();
                }
            }
        });
        server.start();
    }

    /** Makes {@code path} (e.g. {@code /redfish/v1/Chassis/X}) fail in this way from now on. */
    FaultyRedfishServer fail(String path, Fault fault) {
        faults.put(path, fault);
        return this;
    }

    /** Serves {@code path} as the mockup has it again. */
    FaultyRedfishServer heal(String path) {
        faults.remove(path);
        return this;
    }

    /** Serves the resource at {@code other} where {@code path} is asked for: a link that leads to the wrong type. */
    FaultyRedfishServer substitute(String path, String other) {
        substitutes.put(path, other);
        return this;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
