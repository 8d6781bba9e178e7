package io.vigil.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vigil.storage.schema.SchemaMigrator;
import io.vigil.testsupport.TestPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Single sign-on in a real browser against a stand-in OpenID provider (the third-party boundary: discovery, an
 * authorization endpoint that signs the chosen person in at once, a token endpoint issuing RS256-signed ID tokens,
 * and the key set). The dashboard's real OAuth2 client does the rest: the sign-in page's link, the code exchange,
 * the token's signature, nonce and audience checks, and roles from the {@code groups} claim.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OidcSignInITCase {
    static HttpServer idp;
    static RSAKey key;
    /** Who the next sign-in at the provider is: subject and groups. */
    static volatile String nextSubject = "olga";
    static volatile List<String> nextGroups = List.of("vigil-operator");
    static final Map<String, String[]> codes = new ConcurrentHashMap<>();

    @LocalServerPort
    int port;

    @org.springframework.beans.factory.annotation.Autowired
    io.vigil.storage.query.AuditQueries audit;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        key = new RSAKeyGenerator(2048).keyID("k1").generate();
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        String issuer = "http://127.0.0.1:" + idp.getAddress().getPort();
        idp.createContext("/.well-known/openid-configuration", ex -> json(ex, 200, "{\"issuer\":\"" + issuer + "\","
                + "\"authorization_endpoint\":\"" + issuer + "/authorize\",\"token_endpoint\":\"" + issuer + "/token\","
                + "\"jwks_uri\":\"" + issuer + "/jwks\",\"response_types_supported\":[\"code\"],"
                + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"],"
                + "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\"]}"));
        idp.createContext("/jwks", ex -> json(ex, 200, new JWKSet(key.toPublicJWK()).toString()));
        idp.createContext("/authorize", ex -> {
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            String code = UUID.randomUUID().toString();
            codes.put(code, new String[] {q.get("nonce"), q.get("client_id"), nextSubject, String.join(",", nextGroups)});
            ex.getResponseHeaders().add("Location", q.get("redirect_uri") + "?code=" + code + "&state="
                    + java.net.URLEncoder.encode(q.get("state"), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        idp.createContext("/token", ex -> {
            Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String[] grant = codes.remove(form.get("code"));
            if (grant == null) {
                json(ex, 400, "{\"error\":\"invalid_grant\"}");
                return;
            }
            try {
                JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).subject(grant[2])
                        .audience(grant[1]).issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(300)))
                        .claim("nonce", grant[0]);
                if (!grant[3].isEmpty()) claims.claim("groups", List.of(grant[3].split(",")));
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("k1").build(), claims.build());
                jwt.sign(new RSASSASigner(key));
                json(ex, 200, "{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300,\"scope\":\"openid\",\"id_token\":\"" + jwt.serialize() + "\"}");
            } catch (Exception e) {
                json(ex, 500, "{\"error\":\"" + e.getMessage() + "\"}");
            }
        });
        idp.start();
        String jdbcUrl = TestPostgres.newDatabase();
        SchemaMigrator.migrate(TestPostgres.dataSource(jdbcUrl));
        Path users = Files.createTempDirectory("vigil-users").resolve("users");
        registry.add("spring.datasource.url", () -> jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "");
        registry.add("vigil.dashboard.users-file", users::toString);
        registry.add("spring.security.oauth2.client.registration.corp.client-id", () -> "vigil");
        registry.add("spring.security.oauth2.client.registration.corp.client-secret", () -> "s3cret");
        registry.add("spring.security.oauth2.client.registration.corp.client-name", () -> "Corp SSO");
        registry.add("spring.security.oauth2.client.registration.corp.scope", () -> "openid");
        registry.add("spring.security.oauth2.client.provider.corp.issuer-uri", () -> issuer);
    }

    @AfterAll
    static void stop() {
        if (idp != null) idp.stop(0);
    }

    static void json(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) return m;
        for (String pair : raw.split("&")) {
            int i = pair.indexOf('=');
            if (i > 0) m.put(URLDecoder.decode(pair.substring(0, i), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(i + 1), StandardCharsets.UTF_8));
        }
        return m;
    }

    @Test
    void groupsFromTheIdTokenGiveTheRoleAndNoGroupGivesNothing() throws Exception {
        String base = "http://127.0.0.1:" + port;
        try (Playwright pw = io.vigil.testsupport.Chromium.playwright();
             Browser browser = io.vigil.testsupport.Chromium.launch(pw)) {
            nextSubject = "olga";
            nextGroups = List.of("staff", "vigil-operator");
            Page page = browser.newContext().newPage();
            page.navigate(base + "/incidents");
            page.waitForSelector("#sso >> text=Sign in with Corp SSO", new Page.WaitForSelectorOptions().setTimeout(60_000));
            page.locator("#sso a").first().click();
            page.waitForSelector("#signed-in-as", new Page.WaitForSelectorOptions().setTimeout(60_000));
            assertThat(page.locator("#signed-in-as").textContent()).isEqualTo("olga · operator");
            assertThat(page.url()).contains("/incidents");

            // Someone the provider knows but who is in none of the configured groups gets no role: no page opens.
            nextSubject = "mallory";
            nextGroups = List.of();
            Page other = browser.newContext().newPage();
            other.navigate(base + "/login");
            other.locator("#sso a").first().click();
            other.waitForURL(u -> !u.contains("/oauth2/") && !u.contains(":" + idp.getAddress().getPort()),
                    new Page.WaitForURLOptions().setTimeout(60_000));
            // Signed in (the audit log has it) ...
            assertThat(audit.list("mallory", 10)).anySatisfy(e -> {
                assertThat(e.action()).isEqualTo("SIGN_IN");
                assertThat(e.outcome()).isEqualTo("OK");
            });
            // ... but refused the view.
            other.navigate(base + "/incidents");
            other.waitForSelector("text=Could not navigate", new Page.WaitForSelectorOptions().setTimeout(30_000));
            assertThat(other.locator("#signed-in-as").count()).isZero();
            assertThat(other.locator("#incidents-grid").count()).isZero();
            assertThat(audit.list("olga", 10)).anySatisfy(e -> assertThat(e.action()).isEqualTo("SIGN_IN"));
        }
    }
}
