package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.collectors.mockup.MockupServer;
import io.vigil.model.WireFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vigil collect --once --output -} as a user runs it, in its own process with the shipped logging
 * configuration: against a Delta NVL shelf and a compute tray whose reported rack differs from the configured one
 * (so the collector logs a warning), stdout is JSON records only, one per line, and the warning goes to stderr.
 */
class CollectStdoutITCase {

    static final Path FIXTURES = Path.of("..", "collectors", "src", "test", "resources", "redfish");

    @Test
    void stdoutParsesLineByLineAsJsonWhileWarningsGoToStderr(@TempDir Path dir) throws Exception {
        Path tray = dir.resolve("tray");
        MockupServer.copyTree(FIXTURES.resolve("nvidia-tray-leak-detectors"), tray);
        Path detector = tray.resolve("Chassis/Compute_Tray_0/LeakDetectors/LeakDetector_1_Manifold/index.json");
        Files.writeString(detector, Files.readString(detector)
                .replace("\"DetectorState\": \"OK\"", "\"DetectorState\": \"LeakDetected\""));
        try (MockupServer shelf = MockupServer.redfish(FIXTURES.resolve("delta-nvl-power-shelf"), 0);
             MockupServer bmc = MockupServer.redfish(tray, 0)) {
            Path yaml = dir.resolve("collector.yaml");
            Files.writeString(yaml, """
                    collector: {id: stdout-test, cluster: lab, interval: 1s}
                    redfish:
                      - {url: "http://127.0.0.1:%d", row: C, rack: R12, host: shelf-r12-0, timeout: 2s}
                      - {url: "http://127.0.0.1:%d", row: C, rack: R12, host: gb300-n1, timeout: 2s}
                    """.formatted(shelf.port(), bmc.port()));
            Path out = dir.resolve("stdout"), err = dir.resolve("stderr");
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dlog4j2.configurationFile=" + Path.of("target", "classes", "log4j2.xml").toAbsolutePath(),
                    "-Dvigil.log.dir=" + dir.resolve("logs"),
                    "-cp", System.getProperty("java.class.path"), VigilCommand.class.getName(),
                    "collect", "--once", "--output", "-", "--config", yaml.toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("collect --once ends").isTrue();
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(stderr).isZero();

            List<JsonNode> records = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                records.add(WireFormat.mapper().readTree(line)); // throws on anything that is not one JSON value
            }
            assertThat(records).allSatisfy(r -> assertThat(r.isObject()).isTrue());
            assertThat(records).filteredOn(r -> "POWER_SHELF".equals(r.path("source").asText())).singleElement()
                    .satisfies(r -> assertThat(r.path("powerW").asDouble()).isEqualTo(1749.0));
            assertThat(records).filteredOn(r -> "PSU".equals(r.path("source").asText())).hasSize(6);
            assertThat(records).filteredOn(r -> "gb300-n1/Compute_Tray_0".equals(r.path("device").asText())).singleElement()
                    .satisfies(r -> {
                        assertThat(r.path("leakDetected").asBoolean()).isTrue();
                        assertThat(r.path("leakDetectors").toString()).contains("LeakDetector_1_Manifold")
                                .contains("LeakDetected");
                    });
            assertThat(stderr).as("the reported rack 42 against the configured R12").contains("WARN")
                    .contains("the configuration's is used");
        }
    }
}
