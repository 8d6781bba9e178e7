package io.vigil.model.metrics;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * A component's Prometheus {@code /metrics}, on its own port so that scraping needs neither the component's
 * credentials nor its main port. Each scrape renders afresh from {@code metrics}; a scrape that fails answers 500
 * and the component carries on.
 */
public final class MetricsServer implements AutoCloseable {

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor;

    private MetricsServer(HttpServer server, java.util.concurrent.ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves {@code metrics} on {@code address} ({@code HOST:PORT}; port 0 picks a free one).
     *
     * @throws IllegalArgumentException when the address is not {@code HOST:PORT}
     * @throws IOException when the port cannot be bound
     */
    public static MetricsServer start(String address, Supplier<PrometheusText> metrics) throws IOException {
        return start(parse(address), metrics);
    }

    public static MetricsServer start(InetSocketAddress address, Supplier<PrometheusText> metrics) throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new IOException("cannot serve /metrics on " + address.getHostString() + ":" + address.getPort()
                    + ": " + e.getMessage(), e);
        }
        server.createContext("/metrics", ex -> {
            try (ex) {
                byte[] body;
                int status;
                try {
                    body = metrics.get().render().getBytes(StandardCharsets.UTF_8);
                    status = 200;
                    ex.getResponseHeaders().add("Content-Type", PrometheusText.CONTENT_TYPE);
                } catch (RuntimeException e) {
                    body = ("metrics failed: " + e).getBytes(StandardCharsets.UTF_8);
                    status = 500;
                }
                if (ex.getRequestMethod().equals("HEAD")) {
                    ex.sendResponseHeaders(status, -1);
                    return;
                }
                ex.sendResponseHeaders(status, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        java.util.concurrent.ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vigil-metrics");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor);
    }

    /**
     * A component's {@code /metrics} at the {@code HOST:PORT} its setting {@code key} gives, stopped with the JVM;
     * null when the setting is unset. A bad address or a port in use stops the start, naming the setting.
     */
    public static MetricsServer fromSetting(io.vigil.model.config.Settings settings, String key,
                                            Supplier<PrometheusText> metrics) {
        String address = settings.optional(key);
        if (address == null) return null;
        MetricsServer server;
        try {
            server = start(address, metrics);
        } catch (IllegalArgumentException | IOException e) {
            throw new io.vigil.model.config.Settings.ConfigException("setting '" + key + "': " + e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "vigil-metrics-shutdown"));
        System.out.println("Metrics on http://" + address + "/metrics");
        return server;
    }

    /** {@code HOST:PORT} as an address; a clear message otherwise. */
    public static InetSocketAddress parse(String address) {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        if (colon < 1) throw new IllegalArgumentException("'" + address + "' is not HOST:PORT");
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new InetSocketAddress(address.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + address + "' is not HOST:PORT (port 0-65535)");
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
