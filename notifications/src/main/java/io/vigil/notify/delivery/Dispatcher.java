package io.vigil.notify.delivery;

import io.vigil.model.WebhookSignature;
import io.vigil.model.NotificationAttempt;
import io.vigil.model.NotificationAttempt.Action;
import io.vigil.model.NotificationAttempt.Outcome;
import io.vigil.notify.incident.Notification;
import io.vigil.notify.routing.ReceiverSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends notifications over HTTP, asynchronously, and reports every attempt.
 *
 * <p>Guarantee: at-least-once to every receiver. The notification is in Flink's async operator, whose checkpointed
 * queue holds it until every try has ended, so a restart sends again what was not confirmed before the checkpoint.
 * Where the receiver deduplicates — PagerDuty by {@code dedup_key}, Alertmanager by the alert's label set — a retry
 * or a restart never makes a second page; plain webhooks see the same {@code X-Vigil-Notification-Id} again.
 *
 * <p>Order: the deliveries of one incident to one endpoint are sent one after another, so a resolution never
 * overtakes its trigger. Each endpoint is its own chain — every instance of an Alertmanager HA pair, every
 * webhook — so one instance that is down and being retried does not hold back what its healthy twin is sent.
 * Different incidents and endpoints go in parallel; one slow or dead receiver delays only its own notifications
 * until the async queue ({@code notify.max-in-flight}) is full, and then back-pressures this job only, never
 * detection.
 *
 * <p>An Alertmanager body ({@code startsAt}, {@code endsAt}) is built when it is sent, each try anew, so a refresh
 * that waited out an outage does not arrive already expired; a REFRESH still queued or retrying when a newer
 * REFRESH of the same incident to the same endpoint arrives is dropped for it (recorded as FAILED, "superseded").
 *
 * <p>Retries: HTTP 408, 425, 429 and 5xx and network errors are retried with exponential backoff and full jitter
 * (a 429's or 503's {@code Retry-After} is honoured); other 4xx answers are final (FAILED). Resolutions and
 * acknowledgements are retried for {@link DeliveryConfig#resolveGiveUpAfter()}, other actions for
 * {@link DeliveryConfig#giveUpAfter()}; then they are given up (FAILED, saying so).
 *
 * <p>Isolation: an endpoint may have at most {@link DeliveryConfig#maxPerEndpoint()} notifications in delivery; a
 * new one beyond that fails at once (FAILED, "backlog full"), so a dead endpoint cannot fill the async operator's
 * queue and stop the pages to every other one.
 *
 * <p>Circuit breaker, per endpoint: after {@link DeliveryConfig#breakerFailures()} failed tries in a row the circuit
 * opens, and the endpoint's notifications wait without trying (recorded once as RETRYING, "not sent: circuit open");
 * when the pause is over one of them is sent as a probe while the others keep waiting; a probe that gets an answer
 * closes the circuit, a failed one opens it again for twice the pause (from {@code initialBackoff} up to
 * {@code maxBackoff}). So an endpoint that is down sees one request per pause rather than one per notification, and
 * when it comes back it is not hit by every queued retry at once. Give-up limits count waiting time too.
 */
public final class Dispatcher extends RichAsyncFunction<Notification, NotificationAttempt> {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    static final long GO = 0;
    static final long PROBE = -1;

    private final DeliveryConfig config;
    private transient HttpClient http;
    /** Clients for targets with their own CA ({@code tls_config.ca_file}), by file. */
    private transient Map<String, HttpClient> clientsByCa;
    private transient ExecutorService httpThreads;
    private transient ScheduledExecutorService timers;
    private transient Map<String, CompletableFuture<Void>> chains;
    private transient Map<String, Map<String, String>> secrets;
    private transient Map<String, Boolean> failing;
    /** Per endpoint chain, the newest REFRESH handed over: an older one still waiting is not sent. */
    private transient Map<String, String> newestRefresh;
    /** Per endpoint ({@code receiver/target#endpoint}): what is in delivery, since when, and how it went. */
    private transient Map<String, Endpoint> endpoints;

    /**
     * One endpoint's delivery figures, also registered as Flink gauges ({@code endpoint_in_flight},
     * {@code endpoint_oldest_seconds}, {@code endpoint_failures}, {@code endpoint_failing}, {@code endpoint_breaker}:
     * 0 closed, 1 open, 2 half-open) under the group
     * {@code endpoint=<receiver/target>}.
     */
    public static final class Endpoint {
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.ConcurrentSkipListMap<Long, Integer> started = new java.util.concurrent.ConcurrentSkipListMap<>();
        final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
        volatile boolean failing;
        /** Failed tries in a row; any answer that is not a failure of the endpoint resets it. */
        private int failuresInRow;
        /** Epoch ms until which the circuit is open; 0 when it is closed. */
        private long openUntilMs;
        /** Pauses in this open spell so far: the next is twice the last. */
        private int pauses;
        /** Whether a probe is out (the circuit is half-open). */
        private boolean probing;

        /** The circuit breaker's states, as {@code endpoint_breaker} reports them: 0, 1, 2. */
        public enum Breaker { CLOSED, OPEN, HALF_OPEN }

        public int inFlight() { return inFlight.get(); }

        public synchronized Breaker breaker(long nowMs) {
            if (openUntilMs == 0) return Breaker.CLOSED;
            return probing || nowMs >= openUntilMs ? Breaker.HALF_OPEN : Breaker.OPEN;
        }

        /** A try may go out now ({@link #GO}), as the open circuit's one probe ({@link #PROBE}), or in so many ms. */
        synchronized long admit(long nowMs, long recheckMs) {
            if (openUntilMs == 0) return GO;
            if (nowMs < openUntilMs) return openUntilMs - nowMs;
            if (probing) return recheckMs;
            probing = true;
            return PROBE;
        }

        /** The probe was not sent after all (the request could not be built): another may go. */
        synchronized void probeNotSent() {
            probing = false;
        }

        /** The endpoint answered (2xx, or a final 4xx about this notification): the circuit closes. */
        synchronized void answered() {
            failuresInRow = 0;
            pauses = 0;
            openUntilMs = 0;
            probing = false;
        }

        /** A try failed as the endpoint's own failure; a probe's failure, or the threshold reached, opens it. */
        synchronized void failed(boolean probe, long nowMs, DeliveryConfig c) {
            failuresInRow++;
            if (probe) probing = false;
            if (probe || (openUntilMs == 0 && failuresInRow >= c.breakerFailures())) {
                long pause = Math.min(c.maxBackoff().toMillis(), c.initialBackoff().toMillis() << Math.min(pauses, 30));
                pauses++;
                openUntilMs = nowMs + pause;
            }
        }

        synchronized int failuresInRow() { return failuresInRow; }
        public long failures() { return failures.get(); }
        public boolean failing() { return failing; }

        /** How long the oldest notification in delivery has waited, in seconds; 0 when none. */
        public double oldestSeconds(long nowMs) {
            java.util.Map.Entry<Long, Integer> e = started.firstEntry();
            return e == null ? 0 : (nowMs - e.getKey()) / 1000.0;
        }

        void begin(long ms) { started.merge(ms, 1, Integer::sum); }

        void end(long ms) { started.computeIfPresent(ms, (k, n) -> n <= 1 ? null : n - 1); }
    }

    /** Every endpoint's figures so far, by {@code receiver/target#endpoint}. */
    public Map<String, Endpoint> endpoints() {
        return java.util.Collections.unmodifiableMap(endpoints);
    }

    public Dispatcher(DeliveryConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext openContext) {
        httpThreads = Executors.newFixedThreadPool(2, daemon("vigil-notify-http"));
        timers = Executors.newSingleThreadScheduledExecutor(daemon("vigil-notify-retry"));
        http = HttpClient.newBuilder().executor(httpThreads).connectTimeout(config.requestTimeout())
                .version(HttpClient.Version.HTTP_1_1).build();
        chains = new ConcurrentHashMap<>();
        clientsByCa = new ConcurrentHashMap<>();
        secrets = new ConcurrentHashMap<>();
        failing = new ConcurrentHashMap<>();
        newestRefresh = new ConcurrentHashMap<>();
        endpoints = new ConcurrentHashMap<>();
    }

    @Override
    public void close() {
        if (timers != null) timers.shutdownNow();
        if (httpThreads != null) httpThreads.shutdownNow();
    }

    @Override
    public void asyncInvoke(Notification n, ResultFuture<NotificationAttempt> result) {
        if (n.withheld() != null) {
            result.complete(List.of(attempt(n, n.target().target(), 1, n.withheld(), null, null)));
            return;
        }
        List<HttpCall> calls;
        try {
            calls = Payloads.calls(n, this::secretsOf, Instant.now());
            client(n.target());
        } catch (RuntimeException e) {
            // A missing secret file or variable, an unreadable CA file: nothing to send until the configuration is
            // fixed.
            result.complete(List.of(attempt(n, n.target().target(), 1, Outcome.FAILED, null, e.getMessage())));
            return;
        }
        List<CompletableFuture<List<NotificationAttempt>>> each = new ArrayList<>();
        for (HttpCall c : calls) {
            String key = n.orderKey() + "#" + c.target();
            Endpoint endpoint = endpoint(n.target().receiver() + "/" + c.target());
            java.util.concurrent.atomic.AtomicInteger load = endpoint.inFlight;
            if (load.incrementAndGet() > config.maxPerEndpoint()) {
                load.decrementAndGet();
                endpoint.failures.incrementAndGet();
                each.add(CompletableFuture.completedFuture(List.of(attempt(n, c.target(), 1, Outcome.FAILED, null,
                        "backlog full: " + config.maxPerEndpoint() + " notifications already in delivery to this "
                                + "endpoint"))));
                continue;
            }
            if (n.action() == Action.REFRESH) newestRefresh.put(key, n.id());
            long began = System.currentTimeMillis();
            endpoint.begin(began);
            CompletableFuture<List<NotificationAttempt>> done = new CompletableFuture<>();
            chains.compute(key, (k, previous) -> {
                CompletableFuture<Void> before = previous == null ? DONE : previous;
                CompletableFuture<Void> tail = before.thenCompose(ignored -> send(n, c, key, 1,
                                System.currentTimeMillis(), Collections.synchronizedList(new ArrayList<>())))
                        .handle((attempts, e) -> {
                            // The endpoint's figures first, so whoever sees the result sees them settled.
                            newestRefresh.remove(k, n.id());
                            load.decrementAndGet();
                            endpoint.end(began);
                            done.complete(e == null ? attempts
                                    : List.of(attempt(n, c.target(), 1, Outcome.FAILED, null, String.valueOf(e))));
                            return null;
                        });
                tail.whenComplete((x, e) -> chains.remove(k, tail));
                return tail;
            });
            each.add(done);
        }
        CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenAccept(v -> {
            List<NotificationAttempt> all = new ArrayList<>();
            each.forEach(f -> all.addAll(f.join()));
            result.complete(all);
        });
    }

    /** An endpoint's figures, made (and its gauges registered, inside a running job) the first time it is used. */
    private Endpoint endpoint(String key) {
        return endpoints.computeIfAbsent(key, k -> {
            Endpoint e = new Endpoint();
            org.apache.flink.metrics.MetricGroup g = endpointMetrics(k);
            if (g != null) {
                g.gauge("endpoint_in_flight", (org.apache.flink.metrics.Gauge<Integer>) e::inFlight);
                g.gauge("endpoint_oldest_seconds",
                        (org.apache.flink.metrics.Gauge<Double>) () -> e.oldestSeconds(System.currentTimeMillis()));
                g.gauge("endpoint_failures", (org.apache.flink.metrics.Gauge<Long>) e::failures);
                g.gauge("endpoint_failing", (org.apache.flink.metrics.Gauge<Integer>) () -> e.failing ? 1 : 0);
                g.gauge("endpoint_breaker", (org.apache.flink.metrics.Gauge<Integer>)
                        () -> e.breaker(System.currentTimeMillis()).ordinal());
            }
            return e;
        });
    }

    /** The metric group for an endpoint, or null outside a running job (a unit test opens the dispatcher alone). */
    private org.apache.flink.metrics.MetricGroup endpointMetrics(String key) {
        try {
            return getRuntimeContext().getMetricGroup().addGroup(io.vigil.model.metrics.PrometheusText.FLINK_GROUP)
                    .addGroup("endpoint", key);
        } catch (IllegalStateException noContext) {
            return null;
        }
    }

    /** Whether a newer REFRESH of the same incident to the same endpoint has been handed over since {@code n}. */
    private boolean superseded(Notification n, String chainKey) {
        return n.action() == Action.REFRESH && !n.id().equals(newestRefresh.getOrDefault(chainKey, n.id()));
    }

    /** The call as it is to be sent now: an Alertmanager body is built anew, with the current time. */
    private HttpCall atSendTime(Notification n, HttpCall call) {
        if (!(n.target() instanceof io.vigil.notify.routing.ReceiverSpec.Alertmanager)) return call;
        for (HttpCall fresh : Payloads.calls(n, this::secretsOf, Instant.now())) {
            if (fresh.target().equals(call.target())) return fresh;
        }
        return call;
    }

    @Override
    public void timeout(Notification n, ResultFuture<NotificationAttempt> result) {
        result.complete(List.of(attempt(n, n.target().target(), 0, Outcome.FAILED, null,
                "still undelivered when the async operator's timeout ran out")));
    }

    private CompletableFuture<List<NotificationAttempt>> send(Notification n, HttpCall queued, String chainKey,
                                                              int attemptNo, long firstTryMs,
                                                              List<NotificationAttempt> log) {
        if (superseded(n, chainKey)) {
            log.add(attempt(n, queued.target(), attemptNo, Outcome.FAILED, null,
                    "superseded by a newer refresh of the incident"));
            return CompletableFuture.completedFuture(log);
        }
        Endpoint ep = endpoint(n.target().receiver() + "/" + queued.target());
        long now = System.currentTimeMillis();
        boolean closing = n.action() == Action.RESOLVE || n.action() == Action.ACKNOWLEDGE;
        long limit = (closing ? config.resolveGiveUpAfter() : config.giveUpAfter()).toMillis();
        long admitted = ep.admit(now, config.initialBackoff().toMillis());
        if (admitted > 0) {
            long elapsed = now - firstTryMs;
            String why = "not sent: circuit open after " + ep.failuresInRow() + " failed tries in a row";
            if (elapsed >= limit) {
                ep.failures.incrementAndGet();
                log.add(attempt(n, queued.target(), attemptNo, Outcome.FAILED, null,
                        why + "; gave up after " + Duration.ofMillis(elapsed).toSeconds() + " s"));
                return CompletableFuture.completedFuture(log);
            }
            boolean toldAlready = !log.isEmpty() && log.get(log.size() - 1).error() != null
                    && log.get(log.size() - 1).error().startsWith("not sent: circuit open");
            if (!toldAlready) log.add(attempt(n, queued.target(), attemptNo, Outcome.RETRYING, null, why));
            // A little jitter, so that the waiting notifications do not all ask at the same instant.
            long wait = Math.min(admitted, limit - elapsed)
                    + ThreadLocalRandom.current().nextLong(config.initialBackoff().toMillis() / 4 + 1);
            int next = toldAlready ? attemptNo : attemptNo + 1;
            CompletableFuture<List<NotificationAttempt>> later = new CompletableFuture<>();
            timers.schedule(() -> send(n, queued, chainKey, next, firstTryMs, log).whenComplete((r, e) -> {
                if (e != null) later.completeExceptionally(e);
                else later.complete(r);
            }), wait, TimeUnit.MILLISECONDS);
            return later;
        }
        boolean probe = admitted == PROBE;
        HttpCall call;
        CompletableFuture<HttpResponse<String>> sent;
        try {
            call = atSendTime(n, queued);
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(call.url()))
                    .timeout(config.requestTimeout())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(call.body()));
            call.headers().forEach(req::header);
            if (call.signingSecret() != null) {
                req.header(WebhookSignature.HEADER, WebhookSignature.of(call.signingSecret(), call.body(),
                        System.currentTimeMillis() / 1000));
            }
            req.header("User-Agent", "Vigil-Notifications/1");
            sent = client(n.target()).sendAsync(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (RuntimeException e) {
            // Nothing reached the endpoint: a probe that was not sent must not leave its circuit waiting for it.
            if (probe) ep.probeNotSent();
            throw e;
        }
        return sent
                .handle((response, error) -> {
                    Integer status = response == null ? null : response.statusCode();
                    if (status != null && status / 100 == 2) {
                        ep.answered();
                        ep.failing = false;
                        log.add(attempt(n, call.target(), attemptNo, Outcome.DELIVERED, status, null));
                        if (failing.remove(call.target() + "@" + n.target().receiver()) != null) {
                            LOG.info("Receiver {} {} accepts notifications again", n.target().receiver(), call.target());
                        }
                        return CompletableFuture.completedFuture(log);
                    }
                    String problem = status != null ? "HTTP " + status + bodyHint(response.body())
                            : describe(error, call.url());
                    boolean retryable = status == null || status == 408 || status == 425 || status == 429
                            || status >= 500;
                    long elapsed = System.currentTimeMillis() - firstTryMs;
                    if (retryable) ep.failed(probe, System.currentTimeMillis(), config);
                    else ep.answered(); // a refusal of this notification: the endpoint itself is up
                    ep.failing = true;
                    if (!retryable || elapsed >= limit) {
                        ep.failures.incrementAndGet();
                        log.add(attempt(n, call.target(), attemptNo, Outcome.FAILED, status,
                                retryable ? problem + "; gave up after " + Duration.ofMillis(elapsed).toSeconds() + " s"
                                        : problem));
                        LOG.warn("Notification {} to {} {} failed: {}", n.id(), n.target().receiver(), call.target(),
                                problem);
                        return CompletableFuture.completedFuture(log);
                    }
                    log.add(attempt(n, call.target(), attemptNo, Outcome.RETRYING, status, problem));
                    if (failing.put(call.target() + "@" + n.target().receiver(), Boolean.TRUE) == null) {
                        LOG.warn("Receiver {} {} is failing ({}); retrying with backoff", n.target().receiver(),
                                call.target(), problem);
                    }
                    long delay = backoff(attemptNo, status == null || (status != 429 && status != 503) ? null
                            : response.headers().firstValue("Retry-After").orElse(null));
                    CompletableFuture<List<NotificationAttempt>> next = new CompletableFuture<>();
                    timers.schedule(() -> send(n, queued, chainKey, attemptNo + 1, firstTryMs, log)
                                    .whenComplete((r, e) -> {
                                        if (e != null) next.completeExceptionally(e);
                                        else next.complete(r);
                                    }),
                            delay, TimeUnit.MILLISECONDS);
                    return next;
                })
                .thenCompose(f -> f);
    }

    /**
     * Full jitter: a random pause up to the doubled backoff; a 429's or 503's {@code Retry-After} is a floor, in
     * either of its forms (delay-seconds, or an HTTP-date); how long a notification is retried in all still bounds it.
     */
    long backoff(int attemptNo, String retryAfter) {
        return backoff(attemptNo, retryAfter, System.currentTimeMillis());
    }

    long backoff(int attemptNo, String retryAfter, long nowMs) {
        long cap = Math.min(config.maxBackoff().toMillis(),
                config.initialBackoff().toMillis() << Math.min(attemptNo - 1, 30));
        long pause = Math.max(config.initialBackoff().toMillis(), ThreadLocalRandom.current().nextLong(cap + 1));
        Long asked = retryAfterMs(retryAfter, nowMs);
        if (asked != null) pause = Math.max(pause, asked);
        return pause;
    }

    /** A {@code Retry-After} value in milliseconds from now: delay-seconds or an HTTP-date; null when neither. */
    static Long retryAfterMs(String retryAfter, long nowMs) {
        if (retryAfter == null || retryAfter.isBlank()) return null;
        String v = retryAfter.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? null : seconds * 1000;
        } catch (NumberFormatException notSeconds) {
            try {
                long at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant().toEpochMilli();
                return Math.max(0, at - nowMs);
            } catch (java.time.format.DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /** The client for a target: the shared one, or one trusting the target's own CA. */
    private HttpClient client(ReceiverSpec spec) {
        ReceiverSpec.HttpConfig hc = httpConfig(spec);
        if (hc == null || hc.caFile() == null) return http;
        return clientsByCa.computeIfAbsent(hc.caFile(), f -> HttpClient.newBuilder().executor(httpThreads)
                .connectTimeout(config.requestTimeout()).version(HttpClient.Version.HTTP_1_1)
                .sslContext(TrustedCa.context(f)).build());
    }

    private static ReceiverSpec.HttpConfig httpConfig(ReceiverSpec spec) {
        return spec instanceof ReceiverSpec.Webhook w ? w.http()
                : spec instanceof ReceiverSpec.Alertmanager am ? am.http() : null;
    }

    private Map<String, String> secretsOf(ReceiverSpec spec) {
        return secrets.computeIfAbsent(spec.receiver() + "/" + spec.target(), k -> {
            Map<String, String> env = System.getenv();
            if (spec instanceof ReceiverSpec.PagerDuty pd) return Map.of("routing_key", pd.routingKey().resolve(env));
            if (spec instanceof ReceiverSpec.Slack s) return Map.of("webhook_url", s.webhookUrl().resolve(env));
            Map<String, String> m = new java.util.HashMap<>();
            if (spec instanceof ReceiverSpec.Webhook w && w.secret().isSet()) m.put("secret", w.secret().resolve(env));
            ReceiverSpec.HttpConfig hc = httpConfig(spec);
            String header = hc == null ? null : hc.header(env);
            if (header != null) m.put("authorization", header);
            return Map.copyOf(m);
        });
    }

    private static NotificationAttempt attempt(Notification n, String target, int attemptNo, Outcome outcome,
                                               Integer status, String error) {
        long now = System.currentTimeMillis();
        var v = n.view();
        return new NotificationAttempt(n.id(), attemptNo, n.target().receiver(), n.target().type(), target,
                v.incident(), v.startsAt(), n.action(), outcome, Instant.ofEpochMilli(now),
                Math.max(0, now - n.causedAtMs()), status, error, v.type(), v.severity(), v.labels().get("team"),
                v.summary());
    }

    private static String bodyHint(String body) {
        if (body == null || body.isBlank()) return "";
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return ": " + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "\u2026" : oneLine);
    }

    /** An error's description without the URL, which for Slack is the secret. */
    private static String describe(Throwable error, String url) {
        Throwable e = error;
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        String text = e == null ? "unknown error" : e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return text.replace(url, "<url>");
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
