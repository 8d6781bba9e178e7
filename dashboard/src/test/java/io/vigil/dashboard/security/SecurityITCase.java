package io.vigil.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.testsupport.TestPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import io.vigil.storage.query.AuditQueries;

/**
 * The dashboard's access rules over real HTTP, on a real PostgreSQL: anonymous, viewer, operator and admin callers,
 * HTTP Basic and API tokens, the throttle, the audit log, and the console's redirect to sign-in.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SecurityITCase {
    static Path usersFile;
    static String jdbcUrl;
    static final String TOKEN = "vgl_test-token-of-a-viewer";

    @LocalServerPort
    int port;

    @Autowired
    AuditQueries audit;

    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    static void users() {
        // Done in @DynamicPropertySource, which runs first; kept for clarity of the order.
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        jdbcUrl = TestPostgres.newDatabase();
        SchemaMigrator.migrate(TestPostgres.dataSource(jdbcUrl));
        usersFile = Files.createTempDirectory("vigil-users").resolve("users");
        BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);
        UsersFile.write(usersFile, List.of(
                new UsersFile.Entry(UsersFile.Kind.USER, "vera", Role.VIEWER, bcrypt.encode("viewer-pass")),
                new UsersFile.Entry(UsersFile.Kind.USER, "otto", Role.OPERATOR, bcrypt.encode("operator-pass")),
                new UsersFile.Entry(UsersFile.Kind.USER, "locky", Role.VIEWER, bcrypt.encode("locky-pass")),
                new UsersFile.Entry(UsersFile.Kind.TOKEN, "script", Role.VIEWER, UsersFile.tokenHash(TOKEN))));
        registry.add("spring.datasource.url", () -> jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "");
        registry.add("vigil.dashboard.users-file", () -> usersFile.toString());
        registry.add("vigil.dashboard.admin-password", () -> "admin-pass");
        registry.add("vigil.kafka-bootstrap", () -> "");
        registry.add("vigil.inbox-secret", () -> INBOX_SECRET);
    }

    static final String INBOX_SECRET = "inbox-test-secret";

    HttpResponse<String> post(String path, String body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (signature != null) b.header(io.vigil.model.WebhookSignature.HEADER, signature);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> call(String method, String path, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (auth != null) b.header("Authorization", auth);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anonymousCallersGetHealthAndTheSignedInboxOnly() throws Exception {
        assertThat(call("GET", "/actuator/health", null, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/alerts", null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/history/gpu-hours", null, null).statusCode()).isEqualTo(401);
        assertThat(call("POST", "/api/v1/incidents/x/ack", null, "{}").statusCode()).isEqualTo(401);
        // The inbox takes webhooks without a user, but only signed ones.
        HttpResponse<String> anonymous = call("POST", "/api/v1/inbox", null, "{}");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("no X-Vigil-Signature header");
        // An endpoint that does not exist is refused, not revealed.
        assertThat(call("GET", "/api/v2/anything", basic("vera", "viewer-pass"), null).statusCode()).isEqualTo(403);
    }

    @Test
    void theInboxStoresOnlyFreshSignedWebhooksOfBoundedSize() throws Exception {
        String body = "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"inbox\",\"vigilAction\":\"trigger\","
                + "\"vigilNotificationId\":\"sec-it-1\",\"alerts\":[{\"labels\":{\"incident\":\"inc-1\"},"
                + "\"annotations\":{\"summary\":\"signed\"}}]}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long now = java.time.Instant.now().getEpochSecond();
        assertThat(post("/api/v1/inbox", body, io.vigil.model.WebhookSignature.of(INBOX_SECRET, bytes, now))
                .statusCode()).isEqualTo(200);
        // The same request replayed 20 minutes later, one signed with another secret, one whose body was changed.
        HttpResponse<String> replay = post("/api/v1/inbox", body,
                io.vigil.model.WebhookSignature.of(INBOX_SECRET, bytes, now - 1200));
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).contains("freshness window");
        assertThat(post("/api/v1/inbox", body, io.vigil.model.WebhookSignature.of("guess", bytes, now)).statusCode())
                .isEqualTo(401);
        assertThat(post("/api/v1/inbox", body.replace("signed", "forged"),
                io.vigil.model.WebhookSignature.of(INBOX_SECRET, bytes, now)).statusCode()).isEqualTo(401);
        // A body over the cap is refused before it is read whole.
        String huge = "{\"pad\":\"" + "x".repeat(NotificationsApiLimits.MAX + 10) + "\"}";
        assertThat(post("/api/v1/inbox", huge, "t=" + now + ",v1=00").statusCode()).isEqualTo(413);
        String inbox = call("GET", "/api/v1/inbox", basic("vera", "viewer-pass"), null).body();
        assertThat(inbox).contains("sec-it-1").doesNotContain("forged");
    }

    /** The inbox's size cap, as the API states it. */
    static final class NotificationsApiLimits {
        static final int MAX = io.vigil.dashboard.notifications.NotificationsApi.MAX_INBOX_BYTES;
    }

    @Test
    void viewersReadButCannotActOperatorsCanAdminsSeeTheAuditLog() throws Exception {
        String viewer = basic("vera", "viewer-pass");
        assertThat(call("GET", "/api/v1/alerts", viewer, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/incidents", viewer, null).statusCode()).isEqualTo(200);
        assertThat(call("GET", "/api/v1/me", viewer, null).body()).contains("\"name\":\"vera\"", "\"role\":\"viewer\"");
        assertThat(call("POST", "/api/v1/incidents/abc/ack", viewer, "{}").statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/v1/silences", viewer, "{}").statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/v1/audit", viewer, null).statusCode()).isEqualTo(403);
        String operator = basic("otto", "operator-pass");
        // Past the access rule: this dashboard has no Kafka, so the action itself answers 503.
        assertThat(call("POST", "/api/v1/incidents/abc/ack", operator, "{}").statusCode()).isEqualTo(503);
        assertThat(call("GET", "/api/v1/audit", operator, null).statusCode()).isEqualTo(403);
        HttpResponse<String> log = call("GET", "/api/v1/audit", basic("admin", "admin-pass"), null);
        assertThat(log.statusCode()).isEqualTo(200);
        assertThat(log.body()).contains("\"actor\":\"vera\"", "DENIED", "/api/v1/incidents/abc/ack");
        assertThat(call("GET", "/api/v1/users", basic("admin", "admin-pass"), null).body())
                .contains("\"name\":\"otto\"", "\"role\":\"operator\"").doesNotContain("$2a$", "sha256:");
    }

    @Test
    void apiTokensActAsTheirNameAndUnknownOnesAreRefused() throws Exception {
        HttpResponse<String> me = call("GET", "/api/v1/me", "Bearer " + TOKEN, null);
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(me.body()).contains("\"name\":\"script\"", "\"role\":\"viewer\"");
        assertThat(call("POST", "/api/v1/silences", "Bearer " + TOKEN, "{}").statusCode()).isEqualTo(403);
        assertThat(call("GET", "/api/v1/alerts", "Bearer vgl_wrong", null).statusCode()).isEqualTo(401);
        // The API never starts a session: no cookie comes back.
        assertThat(me.headers().firstValue("Set-Cookie")).isEmpty();
    }

    @Test
    void repeatedWrongPasswordsLockTheNameEvenForTheRightOne() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(call("GET", "/api/v1/alerts", basic("locky", "wrong"), null).statusCode()).isEqualTo(401);
        }
        assertThat(call("GET", "/api/v1/alerts", basic("locky", "locky-pass"), null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/alerts", basic("vera", "viewer-pass"), null).statusCode()).isEqualTo(200);
        assertThat(audit.list("locky", 50)).anySatisfy(e -> {
            assertThat(e.action()).isEqualTo("SIGN_IN");
            assertThat(e.outcome()).isEqualTo("FAILED");
            assertThat(e.detail()).contains("Too many failed sign-ins");
        });
    }

    @Test
    void theConsoleSendsStrangersToSignIn() throws Exception {
        HttpResponse<String> page = call("GET", "/incidents", null, null);
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location").orElse("")).endsWith("/login");
        assertThat(call("GET", "/login", null, null).statusCode()).isEqualTo(200);
    }
}
