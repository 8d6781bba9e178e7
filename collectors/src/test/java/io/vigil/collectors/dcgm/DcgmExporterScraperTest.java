package io.vigil.collectors.dcgm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.vigil.collectors.OriginStamper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scraper against a real HTTP server on loopback serving a real dcgm-exporter body. */
class DcgmExporterScraperTest {

    HttpServer server;
    final CountDownLatch release = new CountDownLatch(1);
    final InstantSource clock = InstantSource.fixed(Instant.ofEpochMilli(DcgmScrapeTest.TS));

    @BeforeEach
    void serve() throws Exception {
        byte[] body = DcgmScrapeTest.resource("h100x8.prom").getBytes(StandardCharsets.UTF_8);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/broken", ex -> {
            ex.sendResponseHeaders(500, -1);
            ex.close();
        });
        server.createContext("/hang", ex -> {
            try {
                release.await();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.createContext("/drip", ex -> {
            // Headers at once, then the body a byte every 100 ms: no single read ever waits past the timeout.
            ex.sendResponseHeaders(200, 0);
            try (java.io.OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 300 && release.getCount() > 0; i++) {
                    out.write('#');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException ignored) {
                // the scraper hung up
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    DcgmExporterScraper scraper(String path, Duration timeout) {
        return new DcgmExporterScraper(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path),
                timeout, DcgmScrapeTest.PLACEMENT, new OriginStamper("c", 1), clock);
    }

    @Test
    void scrapesEveryGpuOfTheEndpoint() throws Exception {
        DcgmScrape.Result r = scraper("/metrics", Duration.ofSeconds(5)).scrapeResult();
        assertThat(r.samples()).hasSize(8).allSatisfy(s -> assertThat(s.ts()).isEqualTo(DcgmScrapeTest.TS));
    }

    @Test
    void errorsNameTheTargetAndAHungTargetCostsOnlyItsTimeout() {
        assertThatThrownBy(() -> scraper("/broken", Duration.ofSeconds(5)).scrape())
                .isInstanceOf(io.vigil.collectors.Source.ScrapeException.class).hasMessageContaining("/broken: HTTP 500");
        long start = System.nanoTime();
        assertThatThrownBy(() -> scraper("/hang", Duration.ofMillis(300)).scrape())
                .isInstanceOf(io.vigil.collectors.Source.ScrapeException.class).hasMessageContaining("/hang")
                .hasMessageContaining("no answer within").hasMessageNotContaining("Exception");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void anExporterThatDripsItsBodyIsCutOffAtTheWholeResponseDeadline() {
        DcgmExporterScraper drip = scraper("/drip", Duration.ofMillis(300));
        assertThat(drip.deadline()).isEqualTo(Duration.ofMillis(600));
        assertThatThrownBy(drip::scrape).isInstanceOf(io.vigil.collectors.Source.ScrapeException.class)
                .hasMessageContaining("/drip: no complete answer within 600 ms");
    }
}
