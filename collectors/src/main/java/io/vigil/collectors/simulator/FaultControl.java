package io.vigil.collectors.simulator;

import io.vigil.collectors.DaemonThreads;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Injects simulator faults on demand over HTTP, on loopback only:
 * <pre>
 * curl -X POST 'http://127.0.0.1:8079/faults?kind=thermal&amp;host=A02-n1&amp;gpu=3&amp;seconds=120'
 * curl -X POST 'http://127.0.0.1:8079/faults?kind=straggler&amp;job=job-2&amp;rank=5'
 * curl -X POST 'http://127.0.0.1:8079/faults?kind=stall&amp;job=job-3'
 * curl -X POST 'http://127.0.0.1:8079/faults?kind=cdu-flow-loss&amp;cdu=CDU-2'
 * curl -X DELETE 'http://127.0.0.1:8079/faults'            (clears every injected fault)
 * curl http://127.0.0.1:8079/faults                         (lists the active faults)
 * </pre>
 */
public final class FaultControl implements AutoCloseable {

    private final HttpServer server;
    private final ClusterSimulator simulator;
    private final ScheduledExecutorService expiry = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vigil-fault-expiry"));
    private final Map<Fault, Boolean> injected = new java.util.concurrent.ConcurrentHashMap<>();

    public FaultControl(ClusterSimulator simulator, int port) throws IOException {
        this(simulator, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** On any address: a container's simulator listens on all its interfaces, published on the host's loopback. */
    public FaultControl(ClusterSimulator simulator, InetSocketAddress address) throws IOException {
        this.simulator = simulator;
        this.server = HttpServer.create(address, 0);
        server.createContext("/faults", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            switch (ex.getRequestMethod()) {
                case "GET" -> reply(ex, 200, String.join("\n", simulator.activeFaults().stream().map(Fault::describe)
                        .sorted().toList()) + "\n");
                case "DELETE" -> {
                    injected.keySet().forEach(simulator::clear);
                    int n = injected.size();
                    injected.clear();
                    reply(ex, 200, "cleared " + n + " injected fault(s)\n");
                }
                case "POST" -> {
                    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                    Fault fault = parse(q);
                    simulator.inject(fault);
                    injected.put(fault, true);
                    String seconds = q.get("seconds");
                    if (seconds != null) {
                        long s = Long.parseLong(seconds);
                        if (s <= 0) throw new IllegalArgumentException("seconds must be positive");
                        expiry.schedule(() -> {
                            simulator.clear(fault);
                            injected.remove(fault);
                        }, Duration.ofSeconds(s).toMillis(), TimeUnit.MILLISECONDS);
                    }
                    reply(ex, 200, "injected: " + fault.describe() + (seconds == null ? " (until DELETE)" : " for " + seconds + " s") + "\n");
                }
                default -> reply(ex, 405, "use GET, POST or DELETE\n");
            }
        } catch (IllegalArgumentException e) {
            reply(ex, 400, e.getMessage() + "\n");
        }
    }

    static Fault parse(Map<String, String> q) {
        String kind = q.getOrDefault("kind", "");
        return switch (kind) {
            case "thermal" -> new Fault.GpuThermalRunaway(need(q, "host"), Integer.parseInt(need(q, "gpu")));
            case "straggler" -> new Fault.Straggler(need(q, "job"), Integer.parseInt(need(q, "rank")));
            case "stall" -> new Fault.SyncStall(need(q, "job"));
            case "cdu-flow-loss" -> new Fault.CduFlowLoss(need(q, "cdu"));
            default -> throw new IllegalArgumentException(
                    "kind must be thermal, straggler, stall or cdu-flow-loss, was '" + kind + "'");
        };
    }

    private static String need(Map<String, String> q, String key) {
        String v = q.get(key);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("missing parameter '" + key + "'");
        return v;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) return q;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        expiry.shutdownNow();
    }
}
