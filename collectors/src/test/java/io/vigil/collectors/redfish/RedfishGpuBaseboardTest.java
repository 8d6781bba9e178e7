package io.vigil.collectors.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.mockup.MockupServer;
import io.vigil.model.CoolingSample;
import io.vigil.model.GpuSample;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real AI-rack layouts: NVIDIA's GB300 compute tray (GPUs under {@code Systems/HGX_Baseboard_0}, their sensors on
 * {@code Chassis/HGX_GPU_n}, leak detectors as a {@code LeakDetectors} collection) and an NVL rack power shelf, as
 * small fixtures written for these tests after the DMTF schemas, with the quirks of real BMCs: numbers as strings,
 * nulls, a headroom sensor, an absent bay.
 */
class RedfishGpuBaseboardTest {

    static final long TS = 1_790_000_000_000L;
    static final Path FIXTURES = Path.of("src", "test", "resources", "redfish");
    static final TelemetryValidator VALIDATOR = new TelemetryValidator(
            java.time.Clock.fixed(Instant.ofEpochMilli(TS), ZoneOffset.UTC), Duration.ofMinutes(5));
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    List<TelemetryRecord> scrape(Path mockup) throws Exception {
        try (MockupServer server = MockupServer.redfish(mockup, 0)) {
            RedfishSource source = new RedfishSource(
                    new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()), Duration.ofSeconds(5),
                            RedfishClient.Auth.none(), 0),
                    new RedfishSource.Placement("dc1", null, null, "gb300-n1"),
                    new OriginStamper("test", 1), InstantSource.fixed(Instant.ofEpochMilli(TS)));
            List<TelemetryRecord> records = source.scrape();
            assertThat(source.lastResourceErrors()).isEmpty();
            assertThat(records).allSatisfy(r -> assertThat(VALIDATOR.validate(r)).as("%s", r).isNull());
            return records;
        }
    }

    static <T> List<T> of(List<TelemetryRecord> records, Class<T> type) {
        return records.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void everyBaseboardGpuBecomesOneSampleWithClocksThrottleTimeAndMemoryErrors() throws Exception {
        List<GpuSample> gpus = of(scrape(FIXTURES.resolve("nvidia-gb300-tray")), GpuSample.class);
        assertThat(gpus).hasSize(4).extracting(GpuSample::gpu).containsExactly(0, 1, 2, 3);
        assertThat(gpus).allSatisfy(g -> {
            assertThat(g.source()).isEqualTo(GpuSample.Source.REDFISH);
            assertThat(g.host()).isEqualTo("gb300-n1");
            assertThat(g.model()).isEqualTo("NVIDIA GB300");
            assertThat(g.uuid()).startsWith("GPU-5b1d3c6e-");
            assertThat(g.serial()).startsWith("1654925");
            assertThat(g.smClockMHz()).isBetween(1900.0, 2000.0);
            assertThat(g.hwThrottleSeconds()).isEqualTo(1.5);
            assertThat(g.swThrottleSeconds()).isEqualTo(180.0);
            assertThat(g.pcieReplays()).isEqualTo(7L);
            assertThat(g.pcieUncorrectableErrors()).isEqualTo(1L);
            assertThat(g.memTotalMiB()).isEqualTo(294912.0);
            assertThat(g.powerLimitW()).isEqualTo(1400.0);
            // The headroom sensor (21.5) is a distance to a limit, not the GPU's temperature.
            assertThat(g.gpuTempC()).isNotEqualTo(21.5).isBetween(64.0, 67.0);
            assertThat(g.memTempC()).isEqualTo(58.0);
            assertThat(g.tensorActivePct()).isEqualTo(61.5);
        });
        GpuSample g1 = gpus.get(1), g2 = gpus.get(2), g3 = gpus.get(3);
        assertThat(g1.smClockMHz()).as("a number sent as a string").isEqualTo(1965.0);
        assertThat(g1.powerThrottleSeconds()).isEqualTo(12.0);
        assertThat(g1.powerW()).isEqualTo(813.0);
        assertThat(g1.energyJ()).isEqualTo(1_200_000_001.0);
        assertThat(g1.coreVoltageV()).isEqualTo(0.86);
        assertThat(g2.powerThrottleSeconds()).isEqualTo(90.5);
        assertThat(g2.eccCorrected()).as("cache 4 + DRAM 5").isEqualTo(9L);
        assertThat(g2.eccUncorrected()).isEqualTo(1L);
        assertThat(g2.rowRemapPending()).isTrue();
        assertThat(g2.remappedRowsUncorrectable()).isEqualTo(1L);
        assertThat(g2.rowRemapFailed()).isFalse();
        assertThat(g3.thermalThrottleSeconds()).isEqualTo(240.0);
        assertThat(g3.gpuUtilPct()).isEqualTo(90.0);
        assertThat(g3.smActivePct()).as("null is absent").isNull();
    }

    @Test
    void theTrayGivesItsPowerCoolantAndEveryLeakDetectorWithTheRacksPlacement() throws Exception {
        List<TelemetryRecord> r = scrape(FIXTURES.resolve("nvidia-gb300-tray"));
        // Only the tray is a host's input power: the GPU modules' own chassis are the GPUs, not hosts.
        assertThat(of(r, PowerSample.class)).singleElement().satisfies(p -> {
            assertThat(p.source()).isEqualTo(PowerSample.Source.HOST_PSU);
            assertThat(p.powerW()).isEqualTo(5210.5);
            assertThat(p.rack()).isEqualTo("R12");
            assertThat(p.row()).isEqualTo("C");
        });
        assertThat(of(r, CoolingSample.class)).singleElement().satisfies(c -> {
            assertThat(c.source()).isEqualTo(CoolingSample.Source.CHASSIS);
            assertThat(c.device()).isEqualTo("gb300-n1/Compute_Tray_0");
            assertThat(c.supplyTempC()).isEqualTo(31.2);
            assertThat(c.leakDetected()).isFalse();
            assertThat(c.leakDetectors()).extracting(CoolingSample.LeakDetector::name)
                    .containsExactly("ColdPlate_GPU_0_1", "ColdPlate_GPU_2_3", "Manifold_Inlet");
            assertThat(c.rack()).isEqualTo("R12");
        });
    }

    @Test
    void aLeakDetectorInALeakStateGivesACoolingRecordThatSaysSoAndWhich(@TempDir Path dir) throws Exception {
        Path tray = copy(FIXTURES.resolve("nvidia-gb300-tray"), dir);
        flipLeak(tray, "ColdPlate_GPU_2_3", "Critical");
        CoolingSample c = of(scrape(tray), CoolingSample.class).get(0);
        assertThat(c.leakDetected()).isTrue();
        assertThat(c.leakDetectors()).extracting(CoolingSample.LeakDetector::name, CoolingSample.LeakDetector::state,
                CoolingSample.LeakDetector::where).contains(
                tuple("ColdPlate_GPU_2_3", CoolingSample.LeakDetector.State.CRITICAL, "ColdPlate"),
                tuple("Manifold_Inlet", CoolingSample.LeakDetector.State.OK, "Manifold"));
    }

    @Test
    void anNvlPowerShelfGivesItsLoadAndEachPresentSupply() throws Exception {
        List<PowerSample> p = of(scrape(FIXTURES.resolve("nvl-power-shelf")), PowerSample.class);
        PowerSample shelf = p.stream().filter(x -> x.source() == PowerSample.Source.POWER_SHELF).findFirst().orElseThrow();
        assertThat(shelf.powerW()).isEqualTo(17650.0);
        assertThat(shelf.capacityW()).isEqualTo(33000.0);
        assertThat(shelf.phaseCurrentA()).containsExactly(25.1, 24.8);
        assertThat(shelf.rack()).isEqualTo("R12");
        List<PowerSample> psus = p.stream().filter(x -> x.source() == PowerSample.Source.PSU).toList();
        assertThat(psus).as("the absent bay gives nothing").hasSize(5);
        assertThat(psus.get(0)).satisfies(s -> {
            assertThat(s.device()).isEqualTo("NVL72 power shelf 0/PSU_0");
            assertThat(s.powerW()).isEqualTo(3600.0);
            assertThat(s.outputPowerW()).isEqualTo(3420.0);
            assertThat(s.inputVoltageV()).isEqualTo(230.4);
            assertThat(s.efficiencyPct()).isEqualTo(95.0);
            assertThat(s.capacityW()).isEqualTo(5500.0);
        });
        assertThat(psus.get(4).inputVoltageV()).as("null reading").isNull();
    }

    @Test
    void laterScrapesKeepTheLayoutAndAskOnlyForReadingsYetSeeEveryChange(@TempDir Path dir) throws Exception {
        Path tray = copy(FIXTURES.resolve("nvidia-gb300-tray"), dir);
        try (MockupServer server = MockupServer.redfish(tray, 0)) {
            RedfishClient client = new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()),
                    Duration.ofSeconds(5), RedfishClient.Auth.none(), 0);
            RedfishSource source = new RedfishSource(client, new RedfishSource.Placement("dc1", null, null, "n1"),
                    new OriginStamper("test", 1), InstantSource.fixed(Instant.ofEpochMilli(TS)), Duration.ofSeconds(10));
            List<TelemetryRecord> first = source.scrape();
            long firstRequests = client.requests();
            flipLeak(tray, "Manifold_Inlet", "Warning");
            List<TelemetryRecord> second = source.scrape();
            long secondRequests = client.requests() - firstRequests;
            assertThat(second).hasSameSizeAs(first);
            assertThat(secondRequests).as("readings only: %d of %d", secondRequests, firstRequests)
                    .isLessThan(firstRequests * 3 / 4);
            CoolingSample c = of(second, CoolingSample.class).get(0);
            assertThat(c.leakDetected()).isTrue();
            assertThat(c.leakDetectors()).extracting(CoolingSample.LeakDetector::name, CoolingSample.LeakDetector::state)
                    .contains(tuple("Manifold_Inlet", CoolingSample.LeakDetector.State.WARNING));

            RedfishClient baselineClient = new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()),
                    Duration.ofSeconds(5), RedfishClient.Auth.none(), 0);
            RedfishSource walkEverything = new RedfishSource(baselineClient, new RedfishSource.Placement("dc1", null,
                    null, "n1"), new OriginStamper("test", 1), InstantSource.fixed(Instant.ofEpochMilli(TS)),
                    Duration.ofSeconds(10), RedfishSource.Discovery.walkEverything());
            walkEverything.scrape();
            long once = baselineClient.requests();
            walkEverything.scrape();
            assertThat(baselineClient.requests() - once).as("the baseline walks everything again").isEqualTo(once);
        }
    }

    @Test
    void theKeptLayoutIsWalkedAgainAfterItsTimeAndKeptAgain() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(TS);
        InstantSource clock = () -> Instant.ofEpochMilli(now.get());
        try (MockupServer server = MockupServer.redfish(FIXTURES.resolve("nvidia-gb300-tray"), 0)) {
            RedfishClient client = new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()),
                    Duration.ofSeconds(5), RedfishClient.Auth.none(), 0);
            RedfishSource source = new RedfishSource(client, new RedfishSource.Placement("dc1", null, null, "n1"),
                    new OriginStamper("test", 1), clock, Duration.ofSeconds(10),
                    new RedfishSource.Discovery(Duration.ofMinutes(10), true));
            long[] requests = new long[4];
            for (int i = 0; i < 4; i++) {
                if (i == 2) now.addAndGet(Duration.ofMinutes(11).toMillis());
                long before = client.requests();
                assertThat(source.scrape()).hasSize(6);
                requests[i] = client.requests() - before;
                now.addAndGet(10_000);
            }
            assertThat(requests[1]).as("kept layout").isLessThan(requests[0]);
            assertThat(requests[2]).as("after 10 minutes the layout is walked again").isGreaterThan(requests[1]);
            assertThat(requests[3]).as("and kept again").isEqualTo(requests[1]);
        }
    }

    static Path copy(Path from, Path to) throws Exception {
        MockupServer.copyTree(from, to);
        return to;
    }

    static void flipLeak(Path tray, String detector, String state) throws Exception {
        Path f = tray.resolve("Chassis/Compute_Tray_0/ThermalSubsystem/LeakDetection/LeakDetectors")
                .resolve(detector).resolve("index.json");
        Files.writeString(f, Files.readString(f).replace("\"DetectorState\": \"OK\"", "\"DetectorState\": \"" + state + "\""));
    }
}
