package io.vigil.collectors.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.collectors.Source;
import io.vigil.model.WireFormat;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Reads JSON resources of one Redfish service. Requests time out after {@code timeout}; a connection failure or a
 * 5xx answer is retried up to {@code retries} times with doubling backoff, within the same scrape. Basic
 * authentication sends the credentials with each request; session authentication logs in once through
 * {@code SessionService} and sends the {@code X-Auth-Token}, logging in again when the token is refused.
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

    private final HttpClient http;
    private final URI base;
    private final Duration timeout;
    private final Auth auth;
    private final int retries;
    private volatile String sessionToken;

    public RedfishClient(HttpClient http, URI base, Duration timeout, Auth auth, int retries) {
        this.http = http;
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.timeout = timeout;
        this.auth = auth;
        this.retries = retries;
    }

    public URI base() {
        return base;
    }

    /** GET {@code path} (absolute, e.g. {@code /redfish/v1/Chassis}) as JSON. */
    public JsonNode get(String path) throws Source.ScrapeException, NotFound, InterruptedException {
        long backoffMs = 100;
        for (int attempt = 0; ; attempt++) {
            try {
                HttpResponse<byte[]> r = send(path);
                if (r.statusCode() == 401 && auth.mode() == Auth.Mode.SESSION) {
                    sessionToken = null;
                    r = send(path);
                }
                if (r.statusCode() == 404) {
                    throw new NotFound(path);
                }
                if (r.statusCode() >= 500 && attempt < retries) {
                    Thread.sleep(backoffMs);
                    backoffMs *= 2;
                    continue;
                }
                if (r.statusCode() != 200) {
                    throw new Source.ScrapeException(base + path + ": HTTP " + r.statusCode(), null);
                }
                try {
                    return WireFormat.mapper().readTree(r.body());
                } catch (IOException e) {
                    throw new Source.ScrapeException(base + path + ": not JSON: " + e.getMessage(), e);
                }
            } catch (IOException e) {
                if (attempt >= retries) {
                    throw new Source.ScrapeException(base + path + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
                }
                Thread.sleep(backoffMs);
                backoffMs *= 2;
            }
        }
    }

    /** Follows a link object (one with {@code @odata.id}); empty when the link is absent or the target is gone. */
    public Optional<JsonNode> follow(JsonNode link) throws Source.ScrapeException, InterruptedException {
        String id = link == null ? null : link.path("@odata.id").asText(null);
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(get(id.contains("#") ? id.substring(0, id.indexOf('#')) : id));
        } catch (NotFound e) {
            return Optional.empty();
        }
    }

    private HttpResponse<byte[]> send(String path) throws IOException, InterruptedException, Source.ScrapeException {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json").GET();
        switch (auth.mode()) {
            case BASIC -> req.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
            case SESSION -> req.header("X-Auth-Token", token());
            case NONE -> { }
        }
        return http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private String token() throws IOException, InterruptedException, Source.ScrapeException {
        String t = sessionToken;
        if (t != null) {
            return t;
        }
        String body = WireFormat.encodeToString(java.util.Map.of("UserName", auth.username(), "Password", auth.password()));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/redfish/v1/SessionService/Sessions"))
                .timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        t = r.headers().firstValue("X-Auth-Token").orElse(null);
        if (r.statusCode() / 100 != 2 || t == null) {
            throw new Source.ScrapeException(base + ": session login refused (HTTP " + r.statusCode() + ")", null);
        }
        sessionToken = t;
        return t;
    }
}
