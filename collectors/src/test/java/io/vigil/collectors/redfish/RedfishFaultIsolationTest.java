package io.vigil.collectors.redfish;

import static io.vigil.collectors.redfish.FaultyRedfishServer.Fault.GARBAGE;
import static io.vigil.collectors.redfish.FaultyRedfishServer.Fault.HALF_BODY_THEN_SILENCE;
import static io.vigil.collectors.redfish.FaultyRedfishServer.Fault.HTTP_500;
import static io.vigil.collectors.redfish.FaultyRedfishServer.Fault.TRUNCATED_JSON;
import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.OriginStamper;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bad resource costs only the readings under it: every other record of the BMC still comes out, the failure
 * is counted by reason and named with its path, and the scrape ends by its deadline whatever the BMC does.
 */
class RedfishFaultIsolationTest {

    static final Path TRAY = RedfishGpuBaseboardTest.FIXTURES.resolve("nvidia-gb300-tray");
    static final String GPUS = "/redfish/v1/Systems/HGX_Baseboard_0/Processors/";
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    RedfishSource source(FaultyRedfishServer server, Duration requestTimeout, Duration deadline) {
        return new RedfishSource(new RedfishClient(http, URI.create(server.url()), requestTimeout,
                RedfishClient.Auth.none(), 1), new RedfishSource.Placement("dc1", "A", "R1", "gb300-n1"),
                new OriginStamper("t", 1), InstantSource.system(), deadline);
    }

    static <T> List<T> of(List<TelemetryRecord> records, Class<T> type) {
        return records.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void anHttpErrorOnOneGpusMetricsCostsOnlyThatGpusClocks() throws Exception {
        try (FaultyRedfishServer server = new FaultyRedfishServer(TRAY).fail(GPUS + "GPU_1/ProcessorMetrics", HTTP_500)) {
            RedfishSource s = source(server, Duration.ofSeconds(2), Duration.ofSeconds(5));
            List<TelemetryRecord> r = s.scrape();
            List<GpuSample> gpus = of(r, GpuSample.class);
            assertThat(gpus).hasSize(4);
            assertThat(gpus.get(1).smClockMHz()).isNull();
            assertThat(gpus.get(1).gpuTempC()).as("its sensors are another resource").isNotNull();
            assertThat(gpus.get(0).smClockMHz()).isNotNull();
            assertThat(of(r, PowerSample.class)).hasSize(1);
            assertThat(of(r, CoolingSample.class)).hasSize(1);
            assertThat(s.lastResourceErrors()).singleElement().asString()
                    .contains("http_error", GPUS + "GPU_1/ProcessorMetrics", "HTTP 500");
            assertThat(s.resourceErrorCounts()).containsEntry("http_error", 1L).containsEntry("timeout", 0L);

            s.scrape();
            assertThat(s.resourceErrorCounts()).as("counted per scrape").containsEntry("http_error", 2L);
        }
    }

    @Test
    void aTruncatedBodyAndGarbageCostOnlyTheirResources() throws Exception {
        try (FaultyRedfishServer server = new FaultyRedfishServer(TRAY)
                .fail("/redfish/v1/Chassis/Compute_Tray_0/EnvironmentMetrics", TRUNCATED_JSON)
                .fail(GPUS + "GPU_3", GARBAGE)) {
            RedfishSource s = source(server, Duration.ofSeconds(2), Duration.ofSeconds(5));
            List<TelemetryRecord> r = s.scrape();
            assertThat(of(r, GpuSample.class)).extracting(GpuSample::gpu).containsExactly(0, 1, 2);
            assertThat(of(r, PowerSample.class)).as("the tray's power was in the truncated body").isEmpty();
            assertThat(of(r, CoolingSample.class)).singleElement()
                    .satisfies(c -> assertThat(c.leakDetectors()).hasSize(3));
            assertThat(s.resourceErrorCounts()).containsEntry("bad_json", 2L);
            assertThat(s.lastResourceErrors()).anySatisfy(l -> assertThat(l).contains("Compute_Tray_0/EnvironmentMetrics"))
                    .anySatisfy(l -> assertThat(l).contains(GPUS + "GPU_3"));
        }
    }

    @Test
    void aBmcThatSendsHalfABodyThenNothingCostsOneRequestTimeoutNotTheScrape() throws Exception {
        try (FaultyRedfishServer server = new FaultyRedfishServer(TRAY)
                .fail("/redfish/v1/Chassis/HGX_GPU_2/Sensors", HALF_BODY_THEN_SILENCE)) {
            RedfishSource s = source(server, Duration.ofMillis(800), Duration.ofSeconds(5));
            long start = System.nanoTime();
            List<TelemetryRecord> r = s.scrape();
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            // A hang guard, not a timing target: without the deadline the stalled body holds the scrape forever.
            assertThat(tookMs).isLessThan(30_000);
            List<GpuSample> gpus = of(r, GpuSample.class);
            assertThat(gpus).hasSize(4);
            assertThat(gpus.get(2).gpuTempC()).isNull();
            assertThat(gpus.get(2).smClockMHz()).isNotNull();
            assertThat(gpus.get(3).gpuTempC()).isNotNull();
            assertThat(s.resourceErrorCounts()).containsEntry("timeout", 1L);
        }
    }

    @Test
    void aWholeScrapeThatStallsEndsByItsDeadlineWithWhatItHad() throws Exception {
        try (FaultyRedfishServer server = new FaultyRedfishServer(TRAY)) {
            for (String p : List.of("GPU_0", "GPU_1", "GPU_2", "GPU_3")) {
                server.fail("/redfish/v1/Chassis/HGX_" + p + "/Sensors", HALF_BODY_THEN_SILENCE);
            }
            // Each stall would cost its 1 s request timeout; the 1.5 s deadline cuts the whole scrape short.
            RedfishSource s = source(server, Duration.ofSeconds(1), Duration.ofMillis(1500));
            long start = System.nanoTime();
            List<TelemetryRecord> r = s.scrape();
            assertThat((System.nanoTime() - start) / 1_000_000).as("hang guard").isLessThan(30_000);
            // Cut short by the deadline: the stalled sensor collections are timeouts, the rest was read.
            assertThat(s.resourceErrorCounts().get("timeout")).isPositive();
            assertThat(r).isNotEmpty();
        }
    }

    @Test
    void aLinkToTheWrongTypeAndValuesOfTheWrongJsonTypeAreLeftOut(@TempDir Path dir) throws Exception {
        Path tray = RedfishGpuBaseboardTest.copy(TRAY, dir);
        Path metrics = tray.resolve("Systems/HGX_Baseboard_0/Processors/GPU_0/ProcessorMetrics/index.json");
        Files.writeString(metrics, Files.readString(metrics)
                .replaceFirst("\"OperatingSpeedMHz\": [0-9]+", "\"OperatingSpeedMHz\": {\"unexpected\": true}")
                .replaceFirst("\"PowerLimitThrottleDuration\": \"[^\"]*\"", "\"PowerLimitThrottleDuration\": \"soon\""));
        try (FaultyRedfishServer server = new FaultyRedfishServer(tray)
                .substitute(GPUS + "GPU_1/ProcessorMetrics", "/redfish/v1/Chassis/HGX_GPU_1/Sensors/HGX_GPU_1_TEMP_0")) {
            RedfishSource s = source(server, Duration.ofSeconds(2), Duration.ofSeconds(5));
            List<GpuSample> gpus = of(s.scrape(), GpuSample.class);
            assertThat(gpus).hasSize(4);
            assertThat(gpus.get(0).smClockMHz()).isNull();
            assertThat(gpus.get(0).powerThrottleSeconds()).isNull();
            assertThat(gpus.get(0).hwThrottleSeconds()).isEqualTo(1.5);
            assertThat(gpus.get(1).smClockMHz()).isNull();
            assertThat(s.lastResourceErrors()).singleElement().asString()
                    .contains("wrong_type", "expected a ProcessorMetrics", "#Sensor.");
        }
    }

    @Test
    void aFailingResourceIsLoggedOnceWhenItFailsAndOnceWhenItIsBackAndCountedEveryScrape() throws Exception {
        String metrics = GPUS + "GPU_0/EnvironmentMetrics";
        try (FaultyRedfishServer server = new FaultyRedfishServer(TRAY);
             CapturedLog log = CapturedLog.of(RedfishSource.class)) {
            RedfishSource s = source(server, Duration.ofSeconds(2), Duration.ofSeconds(5));
            s.scrape();
            assertThat(s.lastResourceErrors()).isEmpty();
            server.fail(metrics, HTTP_500);
            for (int i = 0; i < 3; i++) s.scrape();
            server.heal(metrics);
            s.scrape();
            s.scrape();
            server.fail(metrics, HTTP_500);
            s.scrape();
            assertThat(s.lastResourceErrors()).hasSize(1);
            assertThat(s.resourceErrorCounts()).containsEntry("http_error", 4L);
            assertThat(log.lines()).filteredOn(l -> l.contains(metrics)).satisfiesExactly(
                    l -> assertThat(l).startsWith("WARN").contains("failed (http_error)"),
                    l -> assertThat(l).startsWith("INFO").contains("readable again"),
                    l -> assertThat(l).startsWith("WARN").contains("failed (http_error)"));
        }
    }
}
