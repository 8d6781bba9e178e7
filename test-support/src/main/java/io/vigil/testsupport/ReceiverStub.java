package io.vigil.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A local HTTP server standing in for a third-party service (PagerDuty, Slack, a webhook): it records every request
 * and answers with what {@code answer} says, so tests can make it fail, throttle or come back.
 */
public final class ReceiverStub implements AutoCloseable {

    /** One request as received. */
    public record Request(String path, Map<String, List<String>> headers, String body, long atMs) {
        public String header(String name) {
            List<String> v = headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(Map.Entry::getValue).findFirst().orElse(List.of());
            return v.isEmpty() ? null : v.get(0);
        }
    }

    /** The status and headers to answer with. */
    public record Answer(int status, Map<String, String> headers) {
        public static Answer ok() {
            return new Answer(202, Map.of());
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Request> requests = new ConcurrentLinkedQueue<>();
    private volatile Function<Request, Answer> answer = r -> Answer.ok();

    public ReceiverStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request r = new Request(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body,
                    System.currentTimeMillis());
            requests.add(r);
            Answer a = answer.apply(r);
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] out = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(a.status(), out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void answer(Function<Request, Answer> how) {
        this.answer = how;
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
