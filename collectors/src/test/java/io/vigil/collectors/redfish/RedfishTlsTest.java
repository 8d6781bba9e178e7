package io.vigil.collectors.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.InstantSource;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A BMC with a self-signed certificate (made with the JDK's keytool), served over real HTTPS on loopback. */
class RedfishTlsTest {

    @TempDir Path dir;
    HttpsServer server;
    Path trustStore;

    @BeforeEach
    void selfSignedBmc() throws Exception {
        Path keyStore = dir.resolve("bmc.p12");
        trustStore = dir.resolve("trust.p12");
        Path cert = dir.resolve("bmc.crt");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "bmc", "-keyalg", "EC", "-dname", "CN=bmc.lab", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", "secret");
        run(keytool, "-exportcert", "-alias", "bmc", "-keystore", keyStore.toString(), "-storepass", "secret",
                "-file", cert.toString());
        run(keytool, "-importcert", "-noprompt", "-alias", "bmc", "-file", cert.toString(), "-storetype", "PKCS12",
                "-keystore", trustStore.toString(), "-storepass", "trusted");

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "secret".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        byte[] root = "{\"@odata.id\":\"/redfish/v1\",\"Id\":\"RootService\"}".getBytes(StandardCharsets.UTF_8);
        server.createContext("/redfish/v1", ex -> {
            ex.sendResponseHeaders(200, root.length);
            ex.getResponseBody().write(root);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    RedfishSource source(HttpClient http) {
        return new RedfishSource(new RedfishClient(http, URI.create("https://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(5), RedfishClient.Auth.none(), 0),
                new RedfishSource.Placement("dc1", null, null, "n1"), new OriginStamper("t", 1), InstantSource.system());
    }

    @Test
    void aSelfSignedBmcIsRefusedByDefaultAndAcceptedWithItsTrustStoreOrInsecure() throws Exception {
        assertThatThrownBy(() -> source(HttpClient.newHttpClient()).scrape())
                .isInstanceOf(Source.ScrapeException.class).hasMessageContaining("TLS handshake failed")
                .hasMessageContaining("not trusted").hasMessageNotContaining("Exception");
        HttpClient trusting = HttpClient.newBuilder()
                .sslContext(RedfishTls.trusting(trustStore, "trusted".toCharArray())).build();
        assertThat(source(trusting).scrape()).isEmpty();
        HttpClient insecure = HttpClient.newBuilder().sslContext(RedfishTls.insecure()).build();
        assertThat(source(insecure).scrape()).isEmpty();
    }
}
