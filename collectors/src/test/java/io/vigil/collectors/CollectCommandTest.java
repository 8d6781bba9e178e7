package io.vigil.collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.vigil.collectors.config.CollectorConfig;
import io.vigil.model.Decoded;
import io.vigil.model.GpuSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import io.vigil.model.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collect command and the scrape loop against real HTTP endpoints on loopback. */
class CollectCommandTest {

    HttpServer server;
    final CountDownLatch release = new CountDownLatch(1);
    @TempDir Path dir;

    @BeforeEach
    void serve() throws Exception {
        byte[] h100;
        try (InputStream in = getClass().getResourceAsStream("/dcgm/h100x8.prom")) {
            h100 = in.readAllBytes();
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", ex -> {
            ex.sendResponseHeaders(200, h100.length);
            ex.getResponseBody().write(h100);
            ex.close();
        });
        server.createContext("/hang", ex -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        // A dcgm-exporter gone wrong: garbage lines, absurd values and a 200 KB label beside two good GPUs.
        String hugeLabel = "x".repeat(200_000);
        byte[] broken = ("garbage line without value\n"
                + "}{{{ not prometheus\n"
                + "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n9\"} 61\n"
                + "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n9\"} -5\n"
                + "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",UUID=\"GPU-a\",Hostname=\"n9\"} 250\n"
                + "DCGM_FI_DEV_GPU_TEMP{gpu=\"1\",UUID=\"GPU-b\",Hostname=\"n9\",modelName=\"" + hugeLabel + "\"} 1e6\n"
                + "DCGM_FI_DEV_POWER_USAGE{gpu=\"1\",UUID=\"GPU-b\",Hostname=\"n9\"} 350\n"
                + "DCGM_FI_DEV_SM_CLOCK{gpu=\"notanumber\",Hostname=\"n9\"} 1400\n").getBytes(StandardCharsets.UTF_8);
        server.createContext("/broken", ex -> {
            ex.sendResponseHeaders(200, broken.length);
            ex.getResponseBody().write(broken);
            ex.close();
        });
        server.createContext("/empty", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    Path config(String targets) throws IOException {
        Path f = dir.resolve("collector.yaml");
        Files.writeString(f, """
                collector:
                  id: test-collector
                  cluster: dc1
                  interval: 200ms
                  metricsPort: 0
                dcgmExporters:
                """ + targets);
        return f;
    }

    record Run(int code, String out, String err) {}

    Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = CollectCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void onceToStdoutPrintsOneValidRecordPerGpu() throws Exception {
        Path cfg = config("  - {url: " + base() + "/metrics, row: A, rack: A01, host: n1}\n");
        Run r = run("--config", cfg.toString(), "--once", "--output", "-");
        assertThat(r.code()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(8);
        WireFormat wire = new WireFormat(TelemetryValidator.withSystemClock());
        for (String line : lines) {
            Decoded d = wire.decode(line.getBytes(StandardCharsets.UTF_8));
            assertThat(d.rejection()).isNull();
            GpuSample s = (GpuSample) d.record();
            assertThat(s.cluster()).isEqualTo("dc1");
            assertThat(s.rack()).isEqualTo("A01");
            assertThat(s.origin().collector()).isEqualTo("test-collector");
        }
        assertThat(r.err()).contains("8 records from 1 of 1");
    }

    @Test
    void aHungTargetFailsOnlyItselfWithinItsTimeout() throws Exception {
        Path cfg = config("  - {url: " + base() + "/metrics, rack: A01}\n"
                + "  - {url: " + base() + "/hang, rack: A02, timeout: 300ms}\n");
        long start = System.nanoTime();
        Run r = run("--config", cfg.toString(), "--once", "--output", "-");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out().lines()).hasSize(8);
        assertThat(r.err()).contains("/hang").contains("8 records from 1 of 2");
    }

    @Test
    void garbageLinesAbsurdValuesAndHugeLabelsCostOnlyThemselves() throws Exception {
        Path cfg = config("  - {url: " + base() + "/broken, rack: A01}\n");
        Run r = run("--config", cfg.toString(), "--once", "--output", "-");
        WireFormat wire = new WireFormat(TelemetryValidator.withSystemClock());
        List<GpuSample> gpus = r.out().lines().map(l -> wire.decode(l.getBytes(StandardCharsets.UTF_8)))
                .peek(d -> assertThat(d.rejection()).as("published records are all valid").isNull())
                .map(d -> (GpuSample) d.record()).toList();
        assertThat(gpus).hasSize(2);
        assertThat(gpus.get(0).gpuTempC()).isEqualTo(61.0);
        assertThat(gpus.get(0).powerW()).as("negative power dropped").isNull();
        assertThat(gpus.get(0).gpuUtilPct()).as("250 % dropped").isNull();
        assertThat(gpus.get(1).gpuTempC()).as("a million degrees dropped").isNull();
        assertThat(gpus.get(1).powerW()).isEqualTo(350.0);
        assertThat(gpus.get(1).model()).hasSize(RecordSanitizer.MAX_TEXT);
        assertThat(r.err()).contains("dropped 1 implausible value(s) of powerW (NEGATIVE_VALUE)")
                .contains("gpuUtilPct (OUT_OF_RANGE)").contains("gpuTempC (OUT_OF_RANGE)")
                .contains("model (TEXT_TOO_LONG)").contains("2 records from 1 of 1 targets");
        assertThat(r.err()).contains("resource failed: dcgm-exporter " + base() + "/broken: bad_line 3 line(s)");
        assertThat(r.code()).as("something was lost, so the exit says so").isEqualTo(1);
    }

    @Test
    void aTargetThatAnswersWithNothingIsAWarningInTheSummary() throws Exception {
        Path cfg = config("  - {url: " + base() + "/metrics, rack: A01}\n  - {url: " + base() + "/empty, rack: A02}\n");
        Run r = run("--config", cfg.toString(), "--once", "--output", "-");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("warning: dcgm-exporter " + base() + "/empty answered with no readings")
                .contains("8 records from 1 of 2 targets; 1 targets answered with no readings");
    }

    @Test
    void onceReturnsByTheLargestDeadlineWithWhatHealthyTargetsGaveAndOneLinePerFailure() throws Exception {
        Path tray = Path.of("src", "test", "resources", "redfish", "nvidia-gb300-tray");
        try (io.vigil.collectors.mockup.MockupServer bmc = io.vigil.collectors.mockup.MockupServer.redfish(tray, 0)) {
            Path f = dir.resolve("mixed.yaml");
            Files.writeString(f, """
                    collector: {id: c, cluster: dc1, interval: 1s, metricsPort: 0}
                    dcgmExporters:
                      - {url: %s/metrics, rack: A01}
                    redfish:
                      - {url: "http://127.0.0.1:%d", rack: R12, host: gb300-n1, timeout: 2s}
                      - {url: "%s/hang", rack: A02, timeout: 500ms, deadline: 1s}
                    """.formatted(base(), bmc.port(), base()));
            long start = System.nanoTime();
            Run r = run("--config", f.toString(), "--once", "--output", "-");
            // A hang guard, not a timing target: the /hang target never answers.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.out().lines().filter(l -> l.contains("\"vigil.gpu.v1\"")).count()).isEqualTo(8 + 4);
            assertThat(r.err().lines().filter(l -> l.startsWith("vigil collect: target failed:")))
                    .singleElement().asString().contains("/hang");
            assertThat(r.err()).contains("from 2 of 3 targets").contains("1 targets failed");
        }
    }

    @Test
    void configErrorsNameTheKey() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "collector: {id: c, cluster: x, intervall: 1s}\ndcgmExporters: [{url: http://x}]\n");
        Run r = run("--config", bad.toString(), "--once", "--output", "-");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown key 'collector.intervall'").contains("interval");

        Files.writeString(bad, "collector: {id: c, cluster: x}\ndcgmExporters: [{url: ftp://x}]\n");
        assertThat(run("--config", bad.toString(), "--once").err()).contains("dcgmExporters[0].url");

        Files.writeString(bad, "collector: {id: c, cluster: x, interval: soon}\ndcgmExporters: [{url: http://x}]\n");
        assertThat(run("--config", bad.toString(), "--once").err()).contains("'collector.interval'");

        assertThat(run("--once").err()).contains("--config is required");
    }

    @Test
    void theKafkaSectionTakesScramOverTlsWithThePasswordFromTheEnvironment() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path cfg = Files.writeString(dir.resolve("secure.yaml"), "collector: {id: c, cluster: x}\n"
                + "kafka: {bootstrap: 'k:9093', securityProtocol: sasl-ssl, username: vigil-collector, "
                + "passwordEnv: AGENT_KAFKA_PASSWORD, truststore: " + ca + "}\n"
                + "dcgmExporters: [{url: 'http://x/metrics'}]\n");
        CollectorConfig config = CollectorConfig.load(cfg, Map.of("AGENT_KAFKA_PASSWORD", "s3cret"));
        assertThat(config.kafkaSecurity(Map.of("AGENT_KAFKA_PASSWORD", "s3cret")).clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("ssl.truststore.type", "PEM");
        // Without the password in the environment: refused at start, naming the variable.
        assertThat(run("--config", cfg.toString(), "--once").err())
                .contains("'kafka' section").contains("AGENT_KAFKA_PASSWORD");
    }

    @Test
    void theLoopKeepsScrapingHealthyTargetsWhileOneHangsAndReportsBothInMetrics() throws Exception {
        Path cfg = config("  - {url: " + base() + "/metrics, rack: A01}\n"
                + "  - {url: " + base() + "/hang, rack: A02, timeout: 2s}\n");
        CollectorConfig config = CollectorConfig.load(cfg, Map.of());
        List<TelemetryRecord> published = new CopyOnWriteArrayList<>();
        TelemetrySink sink = new TelemetrySink() {
            public void publish(TelemetryRecord r) { published.add(r); }
            public void flush() {}
            public void close() {}
        };
        try (ScrapeLoop collector = new ScrapeLoop(CollectCommand.sources(config, Map.of(), InstantSource.system()),
                config.interval(), sink, InstantSource.system());
             CollectorMetrics metrics = new CollectorMetrics(0, collector.targets(), () -> 0, () -> 3, () -> 0)) {
            collector.start();
            // Ten rounds of the healthy target while the hung one has not even finished its first.
            await().atMost(Duration.ofSeconds(30)).until(() -> published.size() >= 80);
            ScrapeLoop.Target healthy = collector.targets().get(0), hung = collector.targets().get(1);
            assertThat(healthy.failures()).isZero();
            assertThat(hung.skipped()).isPositive();
            await().atMost(Duration.ofSeconds(10)).until(() -> hung.failures() > 0);
            assertThat(hung.up()).isFalse();
            assertThat(hung.lastError()).contains("/hang");

            HttpResponse<String> m = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(m.body()).contains("vigil_collector_target_up{target=\"dcgm-exporter " + base() + "/metrics\"} 1.0")
                    .contains("vigil_collector_target_up{target=\"dcgm-exporter " + base() + "/hang\"} 0.0")
                    .contains("vigil_collector_samples_total{target=\"dcgm-exporter " + base() + "/metrics\"}")
                    .contains("vigil_collector_spool_depth 3")
                    .contains("vigil_collector_resource_errors_total{target=\"dcgm-exporter " + base()
                            + "/metrics\",reason=\"bad_line\"} 0")
                    .contains("vigil_collector_empty_scrapes_total{target=\"dcgm-exporter " + base() + "/metrics\"} 0.0")
                    .contains("# TYPE vigil_collector_values_dropped_total counter");
        }
    }
}
