package io.vigil.collectors.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.collectors.Source;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
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
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * Reads JSON resources of one Redfish service.
 *
 * <p>Every request ends by a deadline that covers connecting, the headers and the whole body: the smaller of the
 * per-request {@code timeout} and what is left of the caller's scrape deadline; a watchdog closes the connection when
 * it passes. (Socket timeouts bound each read, not the exchange, so a BMC that trickles a body, or sends headers and
 * half a body and then nothing, would otherwise hold a scrape far beyond its interval.)
 * A connection failure or a 5xx answer is retried up to {@code retries} times with doubling backoff, within the
 * same deadline. At most {@code maxConcurrentRequests} requests of this service are in flight at once, and at most
 * as many as the collector-wide {@code sharedLimit} allows across all services.
 *
 * <p>Basic authentication sends the credentials with each request; session authentication logs in once through
 * {@code SessionService}, reuses the {@code X-Auth-Token} across scrapes, and logs in again when it is refused.
 */
public final class RedfishClient implements RedfishService {

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
        public NotFound(String path) {
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
    /** Threads that wait on BMCs; how many run at once is bounded by the per-service and shared permits. */
    private static final java.util.concurrent.ExecutorService IO = java.util.concurrent.Executors.newCachedThreadPool(
            io.vigil.collectors.DaemonThreads.named("vigil-redfish-io"));

    private final SSLContext ssl;
    private final long connectTimeoutMs;
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
        // The client is given as the JDK's HttpClient so callers configure TLS and the connect timeout in one place;
        // requests go out on blocking connections with its SSL context (see fetch).
        this.ssl = http.sslContext();
        this.connectTimeoutMs = http.connectTimeout().map(Duration::toMillis).orElse(timeout.toMillis());
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.timeout = timeout;
        this.auth = auth;
        this.retries = retries;
        this.ownLimit = new Semaphore(Math.max(1, maxConcurrentRequests));
        this.sharedLimit = sharedLimit;
    }

    @Override
    public URI base() {
        return base;
    }

    /** The request timeout, which is also the default scrape deadline's unit. */
    @Override
    public Duration timeout() {
        return timeout;
    }

    /** HTTP requests sent so far (including retries and logins), for the benchmark and tests. */
    public long requests() {
        return requests.get();
    }

    /** GET {@code path} (absolute, e.g. {@code /redfish/v1/Chassis}) as JSON, by the deadline. */
    @Override
    public JsonNode get(String path, Deadline deadline) throws ResourceException, NotFound, InterruptedException {
        return await(getAsync(path, deadline), path, deadline);
    }

    /**
     * GETs every path at once, up to the concurrency limits, and returns each result in order: a JSON node, or the
     * {@link ResourceException} or {@link NotFound} that path ended with.
     */
    @Override
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
            throw new ResourceException(ErrorReason.UNREACHABLE, path, io.vigil.collectors.PlainWords.of(c), c);
        } catch (InterruptedException e) {
            f.cancel(true);
            throw e;
        }
    }

    private CompletableFuture<JsonNode> getAsync(String path, Deadline deadline) {
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        boolean own = false, shared = false;
        try {
            long budget = Math.min(timeout.toMillis(), deadline.remainingMillis());
            own = budget > 0 && ownLimit.tryAcquire(budget, TimeUnit.MILLISECONDS);
            shared = own && (sharedLimit == null
                    || sharedLimit.tryAcquire(deadline.remainingMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!own || !shared) {
            if (own) ownLimit.release();
            result.completeExceptionally(new ResourceException(ErrorReason.TIMEOUT, path,
                    "the scrape deadline passed before it could be read", null));
            return result;
        }
        try {
            IO.execute(() -> {
                try {
                    result.complete(fetch(path, deadline));
                } catch (ResourceException | NotFound e) {
                    result.completeExceptionally(e);
                } catch (InterruptedException e) {
                    result.completeExceptionally(new ResourceException(ErrorReason.TIMEOUT, path, "interrupted", e));
                } catch (RuntimeException e) {
                    result.completeExceptionally(new ResourceException(ErrorReason.UNREACHABLE, path,
                            io.vigil.collectors.PlainWords.of(e), e));
                } finally {
                    release();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            release();
            result.completeExceptionally(new ResourceException(ErrorReason.UNREACHABLE, path, "collector shutting down", e));
        }
        return result;
    }

    /**
     * One resource, with retries, on the calling I/O thread. A blocking connection per request costs about a third
     * less CPU than the JDK's asynchronous client (measured for dcgm-exporter scraping, docs/benchmarks.md), and
     * a BMC is read by at most a few requests at a time; the threads wait on the network, not on the CPU.
     */
    private JsonNode fetch(String path, Deadline deadline) throws ResourceException, NotFound, InterruptedException {
        long backoffMs = 100;
        for (int attempt = 0; ; attempt++) {
            long budget = Math.min(timeout.toMillis(), deadline.remainingMillis());
            if (budget <= 0) {
                throw new ResourceException(ErrorReason.TIMEOUT, path, "the scrape deadline passed before it could be read", null);
            }
            java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
            HttpURLConnection c = null;
            java.util.concurrent.ScheduledFuture<?> watchdog = null;
            int status;
            byte[] body;
            try {
                c = open(path, budget);
                HttpURLConnection conn = c;
                // The whole exchange, body included, must end within the budget: a BMC that sends headers and half
                // a body, then nothing, is cut off here rather than by the per-read timeout alone.
                watchdog = WATCHDOG.schedule(() -> {
                    cut.set(true);
                    conn.disconnect();
                }, budget, TimeUnit.MILLISECONDS);
                status = c.getResponseCode();
                if (status == 401 && auth.mode() == Auth.Mode.SESSION && attempt == 0) {
                    drain(c);
                    sessionToken = null;
                    continue;
                }
                try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                    body = in == null ? new byte[0] : in.readAllBytes();
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new ResourceException(ErrorReason.TIMEOUT, path, "no complete answer within " + budget + " ms", e);
            } catch (IOException e) {
                if (cut.get()) {
                    throw new ResourceException(ErrorReason.TIMEOUT, path, "no complete answer within " + budget + " ms", e);
                }
                if (attempt < retries && !deadline.passed()) {
                    Thread.sleep(Math.min(backoffMs, deadline.remainingMillis()));
                    backoffMs *= 2;
                    continue;
                }
                throw new ResourceException(ErrorReason.UNREACHABLE, path, io.vigil.collectors.PlainWords.of(e), e);
            } finally {
                if (watchdog != null) watchdog.cancel(false);
            }
            if (cut.get()) {
                throw new ResourceException(ErrorReason.TIMEOUT, path, "no complete answer within " + budget + " ms", null);
            }
            if (status == 404) throw new NotFound(path);
            if (status >= 500 && attempt < retries && !deadline.passed()) {
                Thread.sleep(Math.min(backoffMs, deadline.remainingMillis()));
                backoffMs *= 2;
                continue;
            }
            if (status != 200) throw new ResourceException(ErrorReason.HTTP_ERROR, path, "HTTP " + status, null);
            try {
                JsonNode node = WireFormat.mapper().readTree(body);
                if (node == null || node.isMissingNode()) throw new IOException("empty body");
                return node;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new ResourceException(ErrorReason.BAD_JSON, path, io.vigil.collectors.PlainWords.json(e), e);
            } catch (IOException e) {
                throw new ResourceException(ErrorReason.BAD_JSON, path, "not JSON: " + firstLine(e.getMessage()), e);
            }
        }
    }

    private HttpURLConnection open(String path, long budgetMs) throws IOException, ResourceException {
        URL url;
        try {
            url = URI.create(base + path).toURL();
        } catch (IllegalArgumentException | java.net.MalformedURLException e) {
            throw new ResourceException(ErrorReason.WRONG_TYPE, path, "not a usable link: " + e.getMessage(), e);
        }
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        if (c instanceof HttpsURLConnection https && ssl != null) {
            https.setSSLSocketFactory(ssl.getSocketFactory());
        }
        c.setConnectTimeout((int) Math.min(connectTimeoutMs, budgetMs));
        c.setReadTimeout((int) budgetMs);
        c.setRequestProperty("Accept", "application/json");
        switch (auth.mode()) {
            case BASIC -> c.setRequestProperty("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
            case SESSION -> c.setRequestProperty("X-Auth-Token", token(budgetMs));
            case NONE -> { }
        }
        requests.incrementAndGet();
        return c;
    }

    private static void drain(HttpURLConnection c) {
        try (InputStream in = c.getErrorStream()) {
            if (in != null) in.readAllBytes();
        } catch (IOException e) {
            c.disconnect();
        }
    }

    private void release() {
        if (sharedLimit != null) sharedLimit.release();
        ownLimit.release();
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
            HttpURLConnection c = (HttpURLConnection) URI.create(base + path).toURL().openConnection();
            if (c instanceof HttpsURLConnection https && ssl != null) https.setSSLSocketFactory(ssl.getSocketFactory());
            c.setConnectTimeout((int) Math.min(connectTimeoutMs, requestMs));
            c.setReadTimeout((int) requestMs);
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/json");
            try (java.io.OutputStream out = c.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
            int status = c.getResponseCode();
            t = c.getHeaderField("X-Auth-Token");
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) in.readAllBytes();
            }
            if (status / 100 != 2 || t == null) {
                throw new ResourceException(ErrorReason.HTTP_ERROR, path,
                        "session login refused (HTTP " + status + ")", null);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new ResourceException(ErrorReason.TIMEOUT, path, "session login timed out", e);
        } catch (IOException e) {
            throw new ResourceException(ErrorReason.UNREACHABLE, path, "session login: " + io.vigil.collectors.PlainWords.of(e), e);
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
