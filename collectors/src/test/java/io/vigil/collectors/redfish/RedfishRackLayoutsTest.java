package io.vigil.collectors.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.mockup.MockupServer;
import io.vigil.model.CoolingSample;
import io.vigil.model.CoolingSample.LeakDetector;
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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layouts of NVIDIA AI-rack hardware that earlier versions misread, as fixtures written after them (see
 * {@code src/test/resources/redfish/README.md}): a compute tray whose leak detectors say {@code LeakDetected} and
 * sit in both of DMTF's places, a Delta shelf whose first power sensor is a hot-swap controller, a Lite-On shelf
 * whose input sensor has no context and whose supplies carry no readings, and GB300 quirks (GPUs linked from two
 * systems, metrics without PCIe counters, row remapping on the Memory resource). Each test asserts the values a
 * person reads from the raw JSON.
 */
class RedfishRackLayoutsTest {

    static final long TS = 1_790_000_000_000L;
    static final Path FIXTURES = Path.of("src", "test", "resources", "redfish");
    static final TelemetryValidator VALIDATOR = new TelemetryValidator(
            java.time.Clock.fixed(Instant.ofEpochMilli(TS), ZoneOffset.UTC), Duration.ofMinutes(5));
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    record Scraped(List<TelemetryRecord> records, RedfishSource source) {
        <T> List<T> of(Class<T> type) {
            return records.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    Scraped scrape(Path tree, RedfishSource.Placement placement) throws Exception {
        try (MockupServer server = MockupServer.redfish(tree, 0)) {
            RedfishSource source = new RedfishSource(
                    new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()), Duration.ofSeconds(5),
                            RedfishClient.Auth.none(), 0),
                    placement, new OriginStamper("test", 1), InstantSource.fixed(Instant.ofEpochMilli(TS)));
            List<TelemetryRecord> records = source.scrape();
            assertThat(source.lastResourceErrors()).isEmpty();
            assertThat(records).allSatisfy(r -> assertThat(VALIDATOR.validate(r)).as("%s", r).isNull());
            return new Scraped(records, source);
        }
    }

    Scraped scrape(Path tree) throws Exception {
        return scrape(tree, new RedfishSource.Placement("dc1", null, null, "n1"));
    }

    @Test
    void aTraysLeakDetectorsAreReadOnceFromBothPlacesWithWhatTheyWatchAndHowTheyReact() throws Exception {
        CoolingSample c = scrape(FIXTURES.resolve("nvidia-tray-leak-detectors")).of(CoolingSample.class).get(0);
        assertThat(c.leakDetected()).isFalse();
        assertThat(c.leakDetectors()).as("the same four detectors under Chassis/LeakDetectors and LeakDetection")
                .extracting(LeakDetector::name, LeakDetector::state, LeakDetector::where,
                        LeakDetector::reactionDelaySeconds, LeakDetector::reaction)
                .containsExactly(
                        tuple("LeakDetector_0_ColdPlate", LeakDetector.State.OK, "ColdPlate", 5.0, "ForceOff"),
                        tuple("LeakDetector_0_Manifold", LeakDetector.State.OK, "Manifold", 10.0, "ForceOff"),
                        tuple("LeakDetector_1_ColdPlate", LeakDetector.State.OK, "ColdPlate", 5.0, "ForceOff"),
                        tuple("LeakDetector_1_Manifold", LeakDetector.State.OK, "Manifold", 10.0, "ForceOff"));
    }

    @Test
    void leakDetectedIsALeakWhateverWordTheTraySays(@TempDir Path dir) throws Exception {
        Path tray = copy("nvidia-tray-leak-detectors", dir);
        setDetector(tray, "LeakDetector_1_Manifold", "LeakDetected", "Critical");
        CoolingSample c = scrape(tray).of(CoolingSample.class).get(0);
        assertThat(c.leakDetected()).isTrue();
        assertThat(c.leakDetectors()).filteredOn(d -> d.state() != LeakDetector.State.OK).singleElement()
                .satisfies(d -> {
                    assertThat(d.name()).isEqualTo("LeakDetector_1_Manifold");
                    assertThat(d.state()).isEqualTo(LeakDetector.State.CRITICAL);
                    assertThat(d.reportedState()).isEqualTo("LeakDetected");
                    assertThat(d.where()).isEqualTo("Manifold");
                });

        // A state word nobody listed is still a leak; a health of Warning on a detector that says OK is a warning.
        setDetector(tray, "LeakDetector_1_Manifold", "Wet", "OK");
        setDetector(tray, "LeakDetector_0_ColdPlate", "OK", "Warning");
        c = scrape(tray).of(CoolingSample.class).get(0);
        assertThat(c.leakDetectors()).extracting(LeakDetector::name, LeakDetector::state).contains(
                tuple("LeakDetector_1_Manifold", LeakDetector.State.CRITICAL),
                tuple("LeakDetector_0_ColdPlate", LeakDetector.State.WARNING));
    }

    @Test
    void theConfiguredRackWinsAndADifferentReportedOneIsAWarning() throws Exception {
        Scraped s = scrape(FIXTURES.resolve("nvidia-tray-leak-detectors"),
                new RedfishSource.Placement("dc1", "C", "R12", "gb300-n7"));
        CoolingSample c = s.of(CoolingSample.class).get(0);
        assertThat(c.rack()).isEqualTo("R12");
        assertThat(c.row()).isEqualTo("C");
        assertThat(c.device()).isEqualTo("gb300-n7/Compute_Tray_0");
        assertThat(s.source().readingWarnings()).containsEntry("placement_mismatch", 2L);

        // Where the configuration is silent, the tray's own Location places it.
        CoolingSample unplaced = scrape(FIXTURES.resolve("nvidia-tray-leak-detectors")).of(CoolingSample.class).get(0);
        assertThat(unplaced.rack()).isEqualTo("42");
        assertThat(unplaced.row()).isEqualTo("North 1");
    }

    @Test
    void aDeltaShelfGivesItsTotalInputNotItsHotSwapControllerAndSixSupplies() throws Exception {
        Scraped s = scrape(FIXTURES.resolve("delta-nvl-power-shelf"),
                new RedfishSource.Placement("dc1", "C", "R12", "shelf-r12-0"));
        List<PowerSample> power = s.of(PowerSample.class);
        assertThat(power).filteredOn(p -> p.source() == PowerSample.Source.POWER_SHELF).singleElement()
                .satisfies(p -> {
                    assertThat(p.powerW()).as("total_power_in, not hsc_power's 3 W").isEqualTo(1749.0);
                    assertThat(p.host()).isEqualTo("shelf-r12-0");
                    assertThat(p.rack()).isEqualTo("R12");
                    assertThat(p.device()).isEqualTo("shelf-r12-0/PowerShelf_0");
                });
        List<PowerSample> psus = power.stream().filter(p -> p.source() == PowerSample.Source.PSU).toList();
        assertThat(psus).as("six supplies all named 'Power Supply', told apart by id")
                .extracting(PowerSample::device).containsExactly("shelf-r12-0/PowerShelf_0/PSU0",
                        "shelf-r12-0/PowerShelf_0/PSU1", "shelf-r12-0/PowerShelf_0/PSU2",
                        "shelf-r12-0/PowerShelf_0/PSU3", "shelf-r12-0/PowerShelf_0/PSU4",
                        "shelf-r12-0/PowerShelf_0/PSU5");
        assertThat(psus).allSatisfy(p -> {
            assertThat(p.capacityW()).as("\"5500\" sent as a string").isEqualTo(5500.0);
            assertThat(p.host()).isEqualTo("shelf-r12-0");
        });
        assertThat(psus.get(0).powerW()).as("read through the metrics' DataSourceUri").isEqualTo(291.0);
        assertThat(psus.get(0).outputPowerW()).isEqualTo(276.5);
        assertThat(psus.get(0).efficiencyPct()).isCloseTo(95.0, org.assertj.core.data.Offset.offset(0.1));
        assertThat(psus.stream().mapToDouble(PowerSample::powerW).sum()).isEqualTo(1749.0);
        assertThat(s.source().readingWarnings()).doesNotContainKey("power_mismatch");
        assertThat(s.of(CoolingSample.class)).singleElement()
                .satisfies(c -> assertThat(c.inletAirTempC()).isEqualTo(27.5));
    }

    @Test
    void aLiteOnShelfGivesTheInputOfASensorWithoutContextAndItsSuppliesFromTheirNamedSensors() throws Exception {
        Scraped s = scrape(FIXTURES.resolve("liteon-nvl-power-shelf"));
        List<PowerSample> power = s.of(PowerSample.class);
        assertThat(power).filteredOn(p -> p.source() == PowerSample.Source.POWER_SHELF).singleElement()
                .satisfies(p -> assertThat(p.powerW()).isEqualTo(4252.0));
        List<PowerSample> psus = power.stream().filter(p -> p.source() == PowerSample.Source.PSU).toList();
        assertThat(psus).hasSize(6).allSatisfy(p -> assertThat(p.capacityW()).isEqualTo(5500.0));
        assertThat(psus).extracting(PowerSample::device).first().isEqualTo("n1/PowerShelf/PSU_0");
        assertThat(psus).extracting(PowerSample::powerW).containsExactly(709.0, 708.5, 708.0, 709.5, 708.0, 709.0);
        assertThat(psus.get(3).outputPowerW()).isEqualTo(677.6);
        assertThat(s.source().readingWarnings()).doesNotContainKey("power_mismatch");
    }

    @Test
    void aShelfWhoseInputDisagreesWithItsSuppliesIsPublishedAndCountedAsAMismatch(@TempDir Path dir) throws Exception {
        Path shelf = copy("delta-nvl-power-shelf", dir);
        Path total = shelf.resolve("Chassis/PowerShelf_0/Sensors/total_power_in/index.json");
        Files.writeString(total, Files.readString(total).replace("1749.0", "3000.0"));
        Scraped s = scrape(shelf);
        assertThat(s.of(PowerSample.class)).filteredOn(p -> p.source() == PowerSample.Source.POWER_SHELF)
                .singleElement().satisfies(p -> assertThat(p.powerW()).isEqualTo(3000.0));
        assertThat(s.source().readingWarnings()).containsEntry("power_mismatch", 1L);
    }

    @Test
    void aGpuLinkedFromTwoSystemsIsOneSample(@TempDir Path dir) throws Exception {
        Path tray = copy("nvidia-gb300-tray", dir);
        Path cpuSystem = tray.resolve("Systems/System_0/Processors/index.json");
        Files.writeString(cpuSystem, Files.readString(cpuSystem).replace(
                "\"@odata.id\": \"/redfish/v1/Systems/System_0/Processors/CPU_0\"\n    }",
                "\"@odata.id\": \"/redfish/v1/Systems/System_0/Processors/CPU_0\"\n    },"
                        + "{\"@odata.id\": \"/redfish/v1/Systems/HGX_Baseboard_0/Processors/GPU_0\"},"
                        + "{\"@odata.id\": \"/redfish/v1/Systems/HGX_Baseboard_0/Processors/GPU_1\"}"));
        List<GpuSample> gpus = scrape(tray).of(GpuSample.class);
        assertThat(gpus).extracting(GpuSample::gpu).containsExactlyInAnyOrder(0, 1, 2, 3);
    }

    @Test
    void metricsWithoutPcieCountersCostOnlyThoseCounters(@TempDir Path dir) throws Exception {
        Path tray = copy("nvidia-gb300-tray", dir);
        edit(tray.resolve("Systems/HGX_Baseboard_0/Processors/GPU_0/ProcessorMetrics/index.json"),
                doc -> doc.remove("PCIeErrors"));
        List<GpuSample> gpus = scrape(tray).of(GpuSample.class);
        assertThat(gpus).hasSize(4);
        assertThat(gpus.get(0).pcieReplays()).isNull();
        assertThat(gpus.get(0).pcieUncorrectableErrors()).isNull();
        assertThat(gpus.get(0).smClockMHz()).isNotNull();
        assertThat(gpus.get(1).pcieReplays()).isEqualTo(7L);
    }

    @Test
    void pendingRowRemapsOnTheMemoryResourceAreRead(@TempDir Path dir) throws Exception {
        Path tray = copy("nvidia-gb300-tray", dir);
        com.fasterxml.jackson.databind.JsonNode oem = io.vigil.model.WireFormat.mapper().readTree("""
                {"Nvidia": {"RowRemappingFailed": false, "RowRemappingPending": true,
                  "RowRemapping": {"CorrectableRowRemappingCount": 3, "UncorrectableRowRemappingCount": 2}}}""");
        edit(tray.resolve("Systems/HGX_Baseboard_0/Memory/GPU_1_DRAM_0/index.json"), doc -> doc.set("Oem", oem));
        // In this layout the metrics carry no row-remap state.
        edit(tray.resolve("Systems/HGX_Baseboard_0/Memory/GPU_1_DRAM_0/MemoryMetrics/index.json"),
                doc -> doc.remove("Oem"));
        GpuSample g1 = scrape(tray).of(GpuSample.class).get(1);
        assertThat(g1.rowRemapPending()).isTrue();
        assertThat(g1.remappedRowsCorrectable()).isEqualTo(3L);
        assertThat(g1.remappedRowsUncorrectable()).isEqualTo(2L);
    }

    static Path copy(String fixture, Path to) throws Exception {
        MockupServer.copyTree(FIXTURES.resolve(fixture), to);
        return to;
    }

    static void setDetector(Path tray, String detector, String state, String health) throws Exception {
        edit(tray.resolve("Chassis/Compute_Tray_0/LeakDetectors").resolve(detector).resolve("index.json"), doc -> {
            doc.put("DetectorState", state);
            ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("Status")).put("Health", health);
        });
    }

    /** Rewrites one served resource. */
    static void edit(Path file, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> change)
            throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.vigil.model.WireFormat.mapper().readTree(Files.readString(file));
        change.accept(doc);
        Files.writeString(file, doc.toString());
    }

}
