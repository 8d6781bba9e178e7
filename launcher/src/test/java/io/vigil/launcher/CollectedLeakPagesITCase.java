package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vigil.collectors.CollectCommand;
import io.vigil.collectors.mockup.MockupServer;
import io.vigil.model.AlertEvent;
import io.vigil.model.AlertType;
import io.vigil.model.Decoded;
import io.vigil.model.WireFormat;
import io.vigil.model.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real BMC's leak reaches on-call: {@code ./vigil demo --no-simulator} (broker, detection job, writer) fed by
 * {@code ./vigil collect} scraping a served compute tray in NVIDIA's layout (leak detectors in
 * {@code Chassis/{id}/LeakDetectors} and again under {@code LeakDetection}). When one of the tray's detectors says
 * {@code LeakDetected} — not one of DMTF's words — one paging LEAK alert names it, fired on the first sample that
 * reports it; when it is dry again, the alert resolves.
 */
class CollectedLeakPagesITCase {

    static final Path TRAY = Path.of("..", "collectors", "src", "test", "resources", "redfish",
            "nvidia-tray-leak-detectors");
    static final String DETECTOR = "Chassis/Compute_Tray_0/LeakDetectors/LeakDetector_1_Manifold/index.json";

    @Test
    void aLeakDetectorFlippedOnAServedBmcPagesOnceAndResolves(@TempDir Path dir) throws Exception {
        assertThat(TRAY).isDirectory();
        Map<String, String> o = new HashMap<>();
        o.put("kafka.embedded-port", String.valueOf(freePort()));
        o.put("db.embedded-port", String.valueOf(freePort()));
        o.put("data.dir", Path.of("target", "it-data-" + UUID.randomUUID()).toString());
        o.put("simulator.enabled", "false");
        o.put("dashboard.enabled", "false");
        o.put("detection.checkpoint-interval", "1s");
        o.put("detection.repage-quiet", "15s"); // the resolve is held this long after the tray is dry
        int metricsPort = freePort();
        o.put("metrics.detection-port", String.valueOf(metricsPort));
        PlatformConfig config = PlatformConfig.from(Settings.load(PlatformConfig.catalog(), null, Map.of(), o),
                Path.of("").toAbsolutePath());
        Path tray = dir.resolve("tray");
        MockupServer.copyTree(TRAY, tray);
        try (Platform platform = Platform.start(config, new PrintStream(System.out, true, StandardCharsets.UTF_8));
             MockupServer bmc = MockupServer.redfish(tray, 0)) {
            Path yaml = dir.resolve("collector.yaml");
            Files.writeString(yaml, """
                    collector: {id: it-bmc-collector, cluster: lab, interval: 1s, metricsPort: %d, spoolDir: "%s"}
                    kafka: {bootstrap: "%s"}
                    redfish:
                      - {url: "http://127.0.0.1:%d", row: C, rack: R12, host: gb300-n1, timeout: 2s}
                    """.formatted(freePort(), dir.resolve("spool"), platform.bootstrapServers(), bmc.port()));
            ByteArrayOutputStream collectorErr = new ByteArrayOutputStream();
            Thread collector = new Thread(() -> {
                try {
                    CollectCommand.run(new String[] {"--config", yaml.toString()}, Map.of(),
                            new PrintStream(new ByteArrayOutputStream()), new PrintStream(collectorErr, true));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "it-collector");
            collector.start();
            List<AlertEvent> alerts = new CopyOnWriteArrayList<>();
            Thread reader = alertReader(platform, alerts);
            try {
                // The tray is healthy for a while: its samples flow, and nothing pages.
                Thread.sleep(8_000);
                assertThat(alerts).as("no alert on a dry tray").isEmpty();

                Path detector = tray.resolve(DETECTOR);
                String dry = Files.readString(detector);
                Files.writeString(detector, dry.replace("\"DetectorState\": \"OK\"", "\"DetectorState\": \"LeakDetected\"")
                        .replace("\"Health\": \"OK\"", "\"Health\": \"Critical\""));
                long flipped = System.currentTimeMillis();
                AlertEvent firing = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                        .until(() -> alerts.stream().filter(a -> a.state() == AlertEvent.State.FIRING).findFirst()
                                .orElse(null), a -> a != null);
                System.out.printf("leak paged %d ms after the detector flipped (scrape interval 1 s)%n",
                        System.currentTimeMillis() - flipped);
                assertThat(firing.type()).isEqualTo(AlertType.LEAK);
                assertThat(firing.severity()).isEqualTo(AlertEvent.Severity.CRITICAL);
                assertThat(firing.labels()).containsEntry("device", "gb300-n1/Compute_Tray_0")
                        .containsEntry("rack", "R12").containsEntry("root", "true");
                assertThat(firing.summary()).contains("leak detected (LeakDetector_1_Manifold: CRITICAL, says LeakDetected");
                assertThat(firing.detectedAt()).as("fired on the first sample that reports the leak")
                        .isEqualTo(firing.startsAt());

                Files.writeString(detector, dry);
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> alerts.stream().anyMatch(a -> a.state() == AlertEvent.State.RESOLVED
                                && a.fingerprint().equals(firing.fingerprint())));
                assertThat(alerts.stream().filter(a -> a.state() == AlertEvent.State.FIRING
                        && a.type() == AlertType.LEAK).map(AlertEvent::fingerprint).distinct())
                        .as("one page for the leak").hasSize(1);
                // The detection job's counters for Prometheus, the router's among them.
                String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("vigil_accepted_late_total{", "vigil_rejected_late_total{",
                        "flink_taskmanager_job_task_operator_numRecordsIn{");
            } finally {
                reader.interrupt();
                collector.interrupt();
                collector.join(20_000);
                reader.join(10_000);
            }
            assertThat(collectorErr.toString(StandardCharsets.UTF_8)).doesNotContain("resource failed");
        }
    }

    private static Thread alertReader(Platform platform, List<AlertEvent> into) {
        WireFormat wire = new WireFormat(io.vigil.model.TelemetryValidator.withSystemClock());
        return io.vigil.testsupport.KafkaRecords.follow(platform.bootstrapServers(), platform.topics().alerts(), r -> {
            Decoded d = wire.decode(r.value());
            if (d.record() instanceof AlertEvent a) into.add(a);
        });
    }

    static int freePort() throws Exception {
        return io.vigil.testsupport.FreePorts.free();
    }
}
