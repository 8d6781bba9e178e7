package io.vigil.collectors.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.vigil.collectors.CollectCommand;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Basic and session authentication against a BMC stand-in on loopback that checks credentials. */
class RedfishAuthTest {

    static final byte[] ROOT = "{\"@odata.id\":\"/redfish/v1\",\"Id\":\"RootService\"}".getBytes(StandardCharsets.UTF_8);
    HttpServer server;
    final AtomicInteger logins = new AtomicInteger();
    volatile String validToken = "token-1";
    @TempDir Path dir;

    @BeforeEach
    void bmc() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/redfish/v1/SessionService/Sessions", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (ex.getRequestMethod().equals("POST") && body.contains("\"UserName\":\"admin\"")
                    && body.contains("\"Password\":\"s3cret\"")) {
                logins.incrementAndGet();
                ex.getResponseHeaders().add("X-Auth-Token", validToken);
                ex.sendResponseHeaders(201, -1);
            } else {
                ex.sendResponseHeaders(401, -1);
            }
            ex.close();
        });
        server.createContext("/redfish/v1", ex -> {
            String basic = "Basic " + Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));
            boolean ok = basic.equals(ex.getRequestHeaders().getFirst("Authorization"))
                    || validToken.equals(ex.getRequestHeaders().getFirst("X-Auth-Token"));
            if (ok) {
                ex.sendResponseHeaders(200, ROOT.length);
                ex.getResponseBody().write(ROOT);
            } else {
                ex.sendResponseHeaders(401, -1);
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    RedfishSource source(RedfishClient.Auth auth) {
        return new RedfishSource(new RedfishClient(HttpClient.newHttpClient(),
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(5), auth, 0),
                new RedfishSource.Placement("dc1", null, null, "n1"), new OriginStamper("t", 1), InstantSource.system());
    }

    @Test
    void basicAuthenticationSendsTheCredentialsAndAWrongPasswordIsRefused() throws Exception {
        assertThat(source(new RedfishClient.Auth(RedfishClient.Auth.Mode.BASIC, "admin", "s3cret")).scrape()).isEmpty();
        assertThatThrownBy(() -> source(new RedfishClient.Auth(RedfishClient.Auth.Mode.BASIC, "admin", "wrong")).scrape())
                .isInstanceOf(Source.ScrapeException.class).hasMessageContaining("HTTP 401");
        assertThatThrownBy(() -> source(RedfishClient.Auth.none()).scrape()).hasMessageContaining("HTTP 401");
    }

    @Test
    void sessionAuthenticationLogsInOnceAndAgainWhenTheTokenExpires() throws Exception {
        RedfishSource s = source(new RedfishClient.Auth(RedfishClient.Auth.Mode.SESSION, "admin", "s3cret"));
        s.scrape();
        s.scrape();
        assertThat(logins.get()).isEqualTo(1);
        validToken = "token-2"; // the BMC forgot the session
        s.scrape();
        assertThat(logins.get()).isEqualTo(2);
        assertThat(new RedfishClient.Auth(RedfishClient.Auth.Mode.SESSION, "admin", "s3cret").toString())
                .doesNotContain("s3cret");
    }

    @Test
    void theCollectorTakesThePasswordFromAFileOrTheEnvironmentAndNamesWhatIsMissing() throws Exception {
        Path secret = dir.resolve("bmc-password");
        Files.writeString(secret, "s3cret\n");
        String url = "http://127.0.0.1:" + server.getAddress().getPort();
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "collector: {id: c, cluster: dc1}\nredfish:\n  - {url: \"" + url
                + "\", auth: session, usernameEnv: BMC_USER, passwordFile: " + secret + "}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CollectCommand.run(new String[] {"--config", cfg.toString(), "--once", "--output", "-"},
                Map.of("BMC_USER", "admin"), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertThat(code).as(err.toString()).isZero();
        assertThat(logins.get()).isEqualTo(1);

        Files.writeString(cfg, "collector: {id: c, cluster: dc1}\nredfish:\n  - {url: \"" + url
                + "\", auth: basic, usernameEnv: BMC_USER, passwordEnv: BMC_PASSWORD}\n");
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        code = CollectCommand.run(new String[] {"--config", cfg.toString(), "--once"}, Map.of("BMC_USER", "admin"),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err2, true));
        assertThat(code).isEqualTo(2);
        assertThat(err2.toString()).contains("BMC_PASSWORD is not set").doesNotContain("s3cret");
    }
}
