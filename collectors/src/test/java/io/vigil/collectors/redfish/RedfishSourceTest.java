package io.vigil.collectors.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.collectors.OriginStamper;
import io.vigil.collectors.Source;
import io.vigil.collectors.mockup.MockupServer;
import io.vigil.model.CoolingSample;
import io.vigil.model.PowerSample;
import io.vigil.model.TelemetryRecord;
import io.vigil.model.TelemetryValidator;
import java.net.ServerSocket;
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

/** The Redfish source against the DMTF mockups, served over real HTTP on loopback. */
class RedfishSourceTest {

    static final long TS = 1_790_000_000_000L;
    static final Path MOCKUPS = Path.of(System.getProperty("vigil.testdata", "../../shared/testdata"), "redfish", "dmtf");
    static final TelemetryValidator VALIDATOR = new TelemetryValidator(
            java.time.Clock.fixed(Instant.ofEpochMilli(TS), ZoneOffset.UTC), Duration.ofMinutes(5));
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    List<TelemetryRecord> scrape(String mockup) throws Exception {
        Path dir = MOCKUPS.resolve(mockup);
        assertThat(dir).as("shared test data (DMTF mockups) expected beside the repository at %s", dir).isDirectory();
        try (MockupServer server = MockupServer.redfish(dir, 0)) {
            RedfishSource source = new RedfishSource(
                    new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()), Duration.ofSeconds(5),
                            RedfishClient.Auth.none(), 1),
                    new RedfishSource.Placement("dc1", null, null, "node-7"),
                    new OriginStamper("test", 1), InstantSource.fixed(Instant.ofEpochMilli(TS)));
            List<TelemetryRecord> records = source.scrape();
            assertThat(records).allSatisfy(r -> assertThat(VALIDATOR.validate(r)).as("%s", r).isNull());
            return records;
        }
    }

    static <T> List<T> of(List<TelemetryRecord> records, Class<T> type) {
        return records.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void aRackmountServerGivesInputPowerAndAirWithItsPlacement() throws Exception {
        List<TelemetryRecord> r = scrape("public-rackmount1");
        PowerSample power = of(r, PowerSample.class).get(0);
        assertThat(of(r, PowerSample.class)).extracting(PowerSample::source)
                .containsExactly(PowerSample.Source.HOST_PSU, PowerSample.Source.PSU);
        assertThat(power.source()).isEqualTo(PowerSample.Source.HOST_PSU);
        assertThat(power.powerW()).isEqualTo(374.0);
        assertThat(power.capacityW()).isEqualTo(800.0);
        assertThat(power.rack()).isEqualTo("WEB43");
        assertThat(power.row()).isEqualTo("North");
        assertThat(power.host()).isEqualTo("node-7");
        CoolingSample air = of(r, CoolingSample.class).get(0);
        assertThat(air.source()).isEqualTo(CoolingSample.Source.CHASSIS);
        assertThat(air.inletAirTempC()).isEqualTo(24.8);
        assertThat(air.outletAirTempC()).isEqualTo(40.5);
        assertThat(air.fanRpm()).isNotEmpty().allSatisfy(rpm -> assertThat(rpm).isBetween(100.0, 20000.0));
        assertThat(air.ts()).isEqualTo(TS);
    }

    @Test
    void aLiquidCooledServerGivesColdPlateCoolant() throws Exception {
        List<TelemetryRecord> r = scrape("public-liquid-cooled-server");
        CoolingSample c = of(r, CoolingSample.class).get(0);
        assertThat(c.supplyTempC()).isEqualTo(14.8);
        assertThat(c.returnTempC()).isGreaterThanOrEqualTo(38.2);
        assertThat(of(r, PowerSample.class)).isNotEmpty();
    }

    @Test
    void aCoolantDistributionUnitGivesItsRackSideLoop() throws Exception {
        List<TelemetryRecord> r = scrape("public-cooling-unit");
        List<CoolingSample> cdus = of(r, CoolingSample.class).stream()
                .filter(c -> c.source() == CoolingSample.Source.CDU).toList();
        assertThat(cdus).singleElement().satisfies(c -> {
            assertThat(c.supplyTempC()).isEqualTo(30.0);
            assertThat(c.returnTempC()).isEqualTo(48.0);
            assertThat(c.flowLpm()).isEqualTo(42.0);
            assertThat(c.leakDetected()).isFalse();
            assertThat(c.row()).isEqualTo("North 1");
        });
    }

    @Test
    void aRackPduGivesLoadCapacityAndPhaseCurrents() throws Exception {
        List<TelemetryRecord> r = scrape("public-pdu");
        List<PowerSample> pdus = of(r, PowerSample.class).stream()
                .filter(p -> p.source() == PowerSample.Source.RACK_PDU).toList();
        assertThat(pdus).singleElement().satisfies(p -> {
            assertThat(p.powerW()).isEqualTo(6438.0);
            assertThat(p.capacityW()).isEqualTo(20000.0);
            assertThat(p.phaseCurrentA()).containsExactly(8.02, 8.66, 6.91);
            assertThat(p.row()).isEqualTo("North 1");
            assertThat(p.rack()).as("neither the PDU nor the configuration says").isNull();
        });
        // The PDU's own chassis is the PDU: it is not reported a second time as a host.
        assertThat(of(r, PowerSample.class)).noneMatch(p -> p.device().endsWith("/PDU"));
    }

    @Test
    void aServerInsideARackChassisTakesTheRacksName(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        write(dir, "", "{\"Chassis\":{\"@odata.id\":\"/redfish/v1/Chassis\"}}");
        write(dir, "Chassis", "{\"Members\":[{\"@odata.id\":\"/redfish/v1/Chassis/Node1\"},"
                + "{\"@odata.id\":\"/redfish/v1/Chassis/Rack7\"}]}");
        write(dir, "Chassis/Rack7", "{\"Id\":\"Rack7\",\"ChassisType\":\"Rack\",\"Name\":\"R-07\","
                + "\"Location\":{\"Placement\":{\"Row\":\"B\"}}}");
        write(dir, "Chassis/Node1", "{\"Id\":\"Node1\",\"ChassisType\":\"RackMount\","
                + "\"Links\":{\"ContainedBy\":{\"@odata.id\":\"/redfish/v1/Chassis/Rack7\"}},"
                + "\"EnvironmentMetrics\":{\"@odata.id\":\"/redfish/v1/Chassis/Node1/EnvironmentMetrics\"}}");
        write(dir, "Chassis/Node1/EnvironmentMetrics", "{\"PowerWatts\":{\"Reading\":812.5}}");
        try (MockupServer server = MockupServer.redfish(dir, 0)) {
            List<TelemetryRecord> r = new RedfishSource(
                    new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()), Duration.ofSeconds(5),
                            RedfishClient.Auth.none(), 0),
                    new RedfishSource.Placement("dc1", null, null, "node-1"),
                    new OriginStamper("t", 1), InstantSource.fixed(Instant.ofEpochMilli(TS))).scrape();
            PowerSample p = of(r, PowerSample.class).stream().filter(x -> x.device().endsWith("/Node1")).findFirst().orElseThrow();
            assertThat(p.powerW()).isEqualTo(812.5);
            assertThat(p.rack()).isEqualTo("R-07");
            assertThat(p.row()).isEqualTo("B");
        }
    }

    @Test
    void aPowerShelfGivesItsLoadMainsAndEverySupplyDespiteAMisdirectedLink() throws Exception {
        List<PowerSample> p = of(scrape("public-power-shelf"), PowerSample.class);
        PowerSample shelf = p.stream().filter(x -> x.source() == PowerSample.Source.POWER_SHELF).findFirst().orElseThrow();
        assertThat(shelf.device()).isEqualTo("PowerShelf1");
        assertThat(shelf.powerW()).isEqualTo(6438.0);
        assertThat(shelf.capacityW()).isEqualTo(12000.0);
        assertThat(shelf.phaseCurrentA()).containsExactly(5.68, 5.68);
        assertThat(shelf.rack()).isEqualTo("42");
        // The shelf's chassis links PowerSubsystem to its Sensors collection; the supplies are read all the same.
        List<PowerSample> psus = p.stream().filter(x -> x.source() == PowerSample.Source.PSU).toList();
        assertThat(psus).isNotEmpty().allSatisfy(x -> assertThat(x.rack()).isEqualTo("42"));
        assertThat(psus).anySatisfy(x -> {
            assertThat(x.device()).isEqualTo("PowerShelf1/Power Supply Bay 1");
            assertThat(x.powerW()).isEqualTo(937.4);
            assertThat(x.inputVoltageV()).isEqualTo(230.2);
            assertThat(x.capacityW()).isEqualTo(2000.0);
        });
    }

    @Test
    void aTelemetryServiceGivesReadingsFromItsMetricReports() throws Exception {
        List<PowerSample> p = of(scrape("public-telemetry"), PowerSample.class);
        // Tray_1..3 report their consumed power only in the metric reports (their Power resources hold other values).
        assertThat(p).filteredOn(x -> x.source() == PowerSample.Source.HOST_PSU)
                .extracting(PowerSample::device).contains("node-7/Tray_1", "node-7/Tray_2", "node-7/Tray_3");
        PowerSample tray1 = p.stream().filter(x -> x.device().equals("node-7/Tray_1")).findFirst().orElseThrow();
        Path resource = MOCKUPS.resolve("public-telemetry/Chassis/Tray_1/Power/index.json");
        double fromResource = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(resource.toFile()).at("/PowerControl/0/PowerConsumedWatts").asDouble();
        assertThat(tray1.powerW()).as("the report's newest value, not the resource's %s", fromResource).isEqualTo(107.0);
    }

    @Test
    void bladesInAnEnclosureTakeTheEnclosuresRack() throws Exception {
        List<TelemetryRecord> r = scrape("public-bladed");
        List<CoolingSample> blades = of(r, CoolingSample.class).stream()
                .filter(c -> c.device().matches("node-7/Blade\\d")).toList();
        assertThat(blades).extracting(CoolingSample::device)
                .containsExactlyInAnyOrder("node-7/Blade1", "node-7/Blade2", "node-7/Blade3", "node-7/Blade4");
        assertThat(blades).allSatisfy(b -> {
            assertThat(b.rack()).isEqualTo("WEB43");
            assertThat(b.row()).isEqualTo("North");
            assertThat(b.fanRpm()).isNotEmpty();
        });
        assertThat(of(r, PowerSample.class)).filteredOn(x -> x.source() == PowerSample.Source.PSU)
                .isNotEmpty().allSatisfy(x -> assertThat(x.rack()).isEqualTo("WEB43"));
    }

    @Test
    void aServerThatOnlyPublishesSensorsGivesPowerAndAirFromThem(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        // The real rackmount mockup, with every link but Sensors taken out of its chassis.
        io.vigil.collectors.mockup.MockupServer.copyTree(MOCKUPS.resolve("public-rackmount1"), dir);
        Path chassis = dir.resolve("Chassis/1U/index.json");
        com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode)
                io.vigil.model.WireFormat.mapper().readTree(chassis.toFile());
        doc.remove(List.of("EnvironmentMetrics", "Power", "PowerSubsystem", "Thermal", "ThermalSubsystem"));
        assertThat(doc.has("Sensors")).isTrue();
        Files.writeString(chassis, doc.toString());
        try (MockupServer server = MockupServer.redfish(dir, 0)) {
            List<TelemetryRecord> r = new RedfishSource(
                    new RedfishClient(http, URI.create("http://127.0.0.1:" + server.port()), Duration.ofSeconds(5),
                            RedfishClient.Auth.none(), 0),
                    new RedfishSource.Placement("dc1", null, null, "node-7"),
                    new OriginStamper("t", 1), InstantSource.fixed(Instant.ofEpochMilli(TS))).scrape();
            assertThat(of(r, PowerSample.class)).singleElement().satisfies(p -> {
                assertThat(p.source()).isEqualTo(PowerSample.Source.HOST_PSU);
                assertThat(p.powerW()).as("TotalPower, Chassis context").isEqualTo(374.0);
            });
            assertThat(of(r, CoolingSample.class)).singleElement().satisfies(c -> {
                assertThat(c.inletAirTempC()).isEqualTo(24.8);
                assertThat(c.outletAirTempC()).isEqualTo(40.5);
            });
        }
    }

    static void write(Path root, String path, String json) throws Exception {
        Path dir = path.isEmpty() ? root : root.resolve(path);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("index.json"), json);
    }

    @Test
    void anUnreachableServiceFailsWithinItsTimeoutNamingTheTarget() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedfishSource dead = new RedfishSource(new RedfishClient(http, URI.create("http://127.0.0.1:" + port),
                Duration.ofMillis(500), RedfishClient.Auth.none(), 1),
                new RedfishSource.Placement("dc1", null, null, null), new OriginStamper("t", 1), InstantSource.system());
        assertThatThrownBy(dead::scrape).isInstanceOf(Source.ScrapeException.class)
                .hasMessageContaining("127.0.0.1:" + port);
        assertThat(Files.exists(MOCKUPS)).isTrue();
    }
}
