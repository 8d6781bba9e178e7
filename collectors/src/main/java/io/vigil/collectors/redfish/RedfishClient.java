package io.vigil.collectors.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.collectors.Source;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads JSON resources of one Redfish service.
 *
 * <p>Every request ends by a deadline that covers connecting, the headers and the whole body: the smaller of the
 * per-request {@code timeout} and what is left of the caller's scrape deadline. (The JDK's own request timeout stops
 * at the headers, so a BMC that sends headers and half a body, then nothing, would otherwise hold a scrape forever.)
 * A connection failure or a 5xx answer is retried up to {@code retries} times with doubling backoff, within the
 * same deadline. At most {@code maxConcurrentRequests} requests of this service are in flight at once, and at most
 * as many as the collector-wide {@code sharedLimit} allows across all services.
 *
 * <p>Basic authentication sends the credentials with each request; session authentication logs in once through
 * {@code SessionService}, reuses the {@code X-Auth-Token} across scrapes, and logs in again when it is refused.
 */
public final class RedfishClient {

    /** How to authenticate; credentials are never logged. */
    public record Auth(Mode mode, String username, String password) {
        public enum Mode { NONE, BASIC, SESSION }

        public static Auth none() {
            return new Auth(Mode.NONE, null, null);
        }

        @Override
        public String toString() {
            return "Auth[" + mode + (username == null ? "" : ", user " + username) + "]";
        }
    }

    /** A resource the service does not have (404): optional parts of a service are skipped, not failed. */
    public static final class NotFound extends Exception {
        NotFound(String path) {
            super(path + " not found");
        }
    }

    /** Why one resource could not be read; the label of {@code vigil_collector_resource_errors_total}. */
    public enum ErrorReason {
        /** An HTTP status other than 200 and 404 (after retries for 5xx). */
        HTTP_ERROR,
        /** The body is not JSON, or was cut short. */
        BAD_JSON,
        /** No complete answer before the request's or the scrape's deadline. */
        TIMEOUT,
        /** Connection refused or reset, or another I/O failure. */
        UNREACHABLE,
        /** The resource is not of the type its link promises (by {@code @odata.type}), or a value has the wrong JSON type. */
        WRONG_TYPE;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One resource that could not be read: it costs the readings under it, not the scrape. */
    public static final class ResourceException extends Exception {
        private final ErrorReason reason;
        private final String path;

        public ResourceException(ErrorReason reason, String path, String message, Throwable cause) {
            super(path + ": " + message, cause);
            this.reason = reason;
            this.path = path;
        }

        public ErrorReason reason() {
            return reason;
        }

        public String path() {
            return path;
        }
    }

    /** A point in {@link System#nanoTime()} by which a scrape must end. */
    public record Deadline(long nanos) {
        public static Deadline in(Duration d) {
            return new Deadline(System.nanoTime() + d.toNanos());
        }

        public long remainingMillis() {
            return Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanos - System.nanoTime()));
        }

        public boolean passed() {
            return System.nanoTime() - nanos >= 0;
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    io.vigil.collectors.DaemonThreads.named("vigil-redfish-deadline"));

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;
    private final Auth auth;
    private final int retries;
    private final Semaphore ownLimit;
    private final Semaphore sharedLimit;
    private final AtomicLong requests = new AtomicLong();
    private volatile String sessionToken;

    public RedfishClient(HttpClient http, URI base, Duration timeout, Auth auth, int retries) {
        this(http, base, timeout, auth, retries, 4, null);
    }

    /**
     * @param maxConcurrentRequests requests of this service in flight at once (BMCs are small computers)
     * @param sharedLimit           permits shared by every service of the collector, or null for no shared limit
     */
    public RedfishClient(HttpClient http, URI base, Duration timeout, Auth auth, int retries, int maxConcurrentRequests,
                         Semaphore sharedLimit) {
        this.http = http;
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.timeout = timeout;
        this.auth = auth;
        this.retries = retries;
        this.ownLimit = new Semaphore(Math.max(1, maxConcurrentRequests));
        this.sharedLimit = sharedLimit;
    }

    public URI base() {
        return base;
    }

    /** The request timeout, which is also the default scrape deadline's unit. */
    public Duration timeout() {
        return timeout;
    }

    /** HTTP requests sent so far (including retries and logins), for the benchmark and tests. */
    public long requests() {
        return requests.get();
    }

    /** GET {@code path} (absolute, e.g. {@code /redfish/v1/Chassis}) as JSON, by the deadline. */
    public JsonNode get(String path, Deadline deadline) throws ResourceException, NotFound, InterruptedException {
        return await(getAsync(path, deadline), path, deadline);
    }

    /**
     * GETs every path at once, up to the concurrency limits, and returns each result in order: a JSON node, or the
     * {@link ResourceException} or {@link NotFound} that path ended with.
     */
    public List<Object> getAll(List<String> paths, Deadline deadline) throws InterruptedException {
        List<CompletableFuture<JsonNode>> futures = new ArrayList<>(paths.size());
        for (String p : paths) {
            futures.add(getAsync(p, deadline));
        }
        List<Object> out = new ArrayList<>(paths.size());
        for (int i = 0; i < paths.size(); i++) {
            try {
                out.add(await(futures.get(i), paths.get(i), deadline));
            } catch (ResourceException | NotFound e) {
                out.add(e);
            }
        }
        return out;
    }

    /** Follows a link object (one with {@code @odata.id}); empty when the link is absent or the target is gone. */
    public Optional<JsonNode> follow(JsonNode link, Deadline deadline) throws ResourceException, InterruptedException {
        String id = linkTarget(link);
        if (id == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(get(id, deadline));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    /** The path a link object points at (without a fragment), or null. */
    public static String linkTarget(JsonNode link) {
        String id = link == null ? null : link.path("@odata.id").asText(null);
        if (id == null || id.isEmpty()) {
            return null;
        }
        return id.contains("#") ? id.substring(0, id.indexOf('#')) : id;
    }

    private JsonNode await(CompletableFuture<JsonNode> f, String path, Deadline deadline)
            throws ResourceException, NotFound, InterruptedException {
        try {
            // The future's own deadline ends it; the margin only covers its bookkeeping.
            return f.get(deadline.remainingMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new ResourceException(ErrorReason.TIMEOUT, path, "no answer before the scrape deadline", null);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ResourceException r) throw r;
            if (c instanceof NotFound n) throw n;
            throw new ResourceException(ErrorReason.UNREACHABLE, path, String.valueOf(c), c);
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    private CompletableFuture<JsonNode> getAsync(String path, Deadline deadline) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        attempt(path, deadline, 0, 100, result);
        return result;
    }

    /** One try: waits for a permit, sends, and on a retryable failure schedules the next try. */
    private void attempt(String path, Deadline deadline, int attempt, long backoffMs, CompletableFuture<JsonNode> result) {
        if (result.isDone()) return;
        long budget = Math.min(timeout.toMillis(), deadline.remainingMillis());
        if (budget <= 0) {
            result.completeExceptionally(new ResourceException(ErrorReason.TIMEOUT, path,
                    "the scrape deadline passed before it could be read", null));
            return;
        }
        boolean own = false, shared = false;
        try {
            own = ownLimit.tryAcquire(budget, TimeUnit.MILLISECONDS);
            shared = own && (sharedLimit == null || sharedLimit.tryAcquire(deadline.remainingMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!own || !shared) {
            if (own) ownLimit.release();
            result.completeExceptionally(new ResourceException(ErrorReason.TIMEOUT, path,
                    "waited for a free connection until the scrape deadline", null));
            return;
        }
        long requestMs = Math.max(1, Math.min(timeout.toMillis(), deadline.remainingMillis()));
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            sent = send(path, requestMs);
        } catch (ResourceException e) {
            release();
            result.completeExceptionally(e);
            return;
        }
        // The whole exchange, body included, must finish within requestMs: cancelling the JDK's future aborts the
        // exchange and closes its connection, so a stalled BMC holds no socket either.
        java.util.concurrent.ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> sent.cancel(true), requestMs,
                TimeUnit.MILLISECONDS);
        sent.whenComplete((r, failure) -> {
            watchdog.cancel(false);
            release();
            if (failure != null) {
                Throwable c = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                if (c instanceof java.util.concurrent.CancellationException || c instanceof HttpTimeoutException) {
                    result.completeExceptionally(new ResourceException(ErrorReason.TIMEOUT, path,
                            "no complete answer within " + requestMs + " ms", c));
                } else if (attempt < retries && !deadline.passed()) {
                    retryLater(path, deadline, attempt, backoffMs, result);
                } else {
                    result.completeExceptionally(new ResourceException(ErrorReason.UNREACHABLE, path,
                            c.getClass().getSimpleName() + (c.getMessage() == null ? "" : " " + c.getMessage()), c));
                }
                return;
            }
            int status = r.statusCode();
            if (status == 401 && auth.mode() == Auth.Mode.SESSION && attempt == 0) {
                sessionToken = null;
                attempt(path, deadline, attempt + 1, backoffMs, result);
            } else if (status == 404) {
                result.completeExceptionally(new NotFound(path));
            } else if (status >= 500 && attempt < retries && !deadline.passed()) {
                retryLater(path, deadline, attempt, backoffMs, result);
            } else if (status != 200) {
                result.completeExceptionally(new ResourceException(ErrorReason.HTTP_ERROR, path, "HTTP " + status, null));
            } else {
                try {
                    JsonNode node = WireFormat.mapper().readTree(r.body());
                    if (node == null || node.isMissingNode()) {
                        throw new IOException("empty body");
                    }
                    result.complete(node);
                } catch (IOException e) {
                    result.completeExceptionally(new ResourceException(ErrorReason.BAD_JSON, path,
                            "not JSON: " + firstLine(e.getMessage()), e));
                }
            }
        });
    }

    private void retryLater(String path, Deadline deadline, int attempt, long backoffMs, CompletableFuture<JsonNode> result) {
        CompletableFuture.delayedExecutor(backoffMs, TimeUnit.MILLISECONDS)
                .execute(() -> attempt(path, deadline, attempt + 1, backoffMs * 2, result));
    }

    private void release() {
        if (sharedLimit != null) sharedLimit.release();
        ownLimit.release();
    }

    private CompletableFuture<HttpResponse<byte[]>> send(String path, long requestMs) throws ResourceException {
        HttpRequest.Builder req;
        try {
            req = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMillis(requestMs))
                    .header("Accept", "application/json").GET();
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ErrorReason.WRONG_TYPE, path, "not a usable link: " + e.getMessage(), e);
        }
        switch (auth.mode()) {
            case BASIC -> req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
            case SESSION -> req.header("X-Auth-Token", token(requestMs));
            case NONE -> { }
        }
        requests.incrementAndGet();
        return http.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private synchronized String token(long requestMs) throws ResourceException {
        String t = sessionToken;
        if (t != null) {
            return t;
        }
        String body = WireFormat.encodeToString(java.util.Map.of("UserName", auth.username(), "Password", auth.password()));
        String path = "/redfish/v1/SessionService/Sessions";
        try {
            requests.incrementAndGet();
            HttpResponse<String> r = http.sendAsync(HttpRequest.newBuilder(URI.create(base + path))
                            .timeout(Duration.ofMillis(requestMs)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .get(requestMs, TimeUnit.MILLISECONDS);
            t = r.headers().firstValue("X-Auth-Token").orElse(null);
            if (r.statusCode() / 100 != 2 || t == null) {
                throw new ResourceException(ErrorReason.HTTP_ERROR, path,
                        "session login refused (HTTP " + r.statusCode() + ")", null);
            }
        } catch (TimeoutException e) {
            throw new ResourceException(ErrorReason.TIMEOUT, path, "session login timed out", e);
        } catch (ExecutionException e) {
            throw new ResourceException(ErrorReason.UNREACHABLE, path, "session login: " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException(ErrorReason.TIMEOUT, path, "interrupted", e);
        }
        sessionToken = t;
        return t;
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Turns a failure of the service root into the scrape's failure. */
    static Source.ScrapeException scrapeFailure(URI base, Exception e) {
        return new Source.ScrapeException(base + (e instanceof ResourceException r ? r.getMessage() : ": " + e.getMessage()), e);
    }
}
