package io.vigil.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    static final Map<String, String> DEFAULTS = Map.of("kafka.bootstrap", "127.0.0.1:9092", "writer.flush-interval",
            "500ms", "simulator.hosts", "64", "data.fresh", "false");

    @Test
    void fileThenEnvironmentThenOverridesWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("vigil.properties");
        Files.writeString(file, "kafka.bootstrap=file:1\nsimulator.hosts=8\n");
        Settings s = Settings.load(DEFAULTS, file, Map.of("VIGIL_SIMULATOR_HOSTS", "16", "VIGIL_DATA_FRESH", "yes"),
                Map.of("writer.flush-interval", "2s"));
        assertThat(s.string("kafka.bootstrap")).isEqualTo("file:1");
        assertThat(s.integer("simulator.hosts", 1, 100)).isEqualTo(16);
        assertThat(s.origin("simulator.hosts")).isEqualTo("environment VIGIL_SIMULATOR_HOSTS");
        assertThat(s.bool("data.fresh")).isTrue();
        assertThat(s.duration("writer.flush-interval")).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void unknownKeysAreNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "kafka.bootstrapp=x\n");
        assertThatThrownBy(() -> Settings.load(DEFAULTS, file, Map.of(), Map.of()))
                .isInstanceOf(Settings.ConfigException.class)
                .hasMessageContaining("'kafka.bootstrapp'").hasMessageContaining("kafka.bootstrap");
        assertThatThrownBy(() -> Settings.load(DEFAULTS, null, Map.of(), Map.of("nope", "1")))
                .hasMessageContaining("'nope'");
    }

    @Test
    void badValuesNameTheirKeyAndOrigin() {
        Settings s = Settings.load(DEFAULTS, null, Map.of("VIGIL_WRITER_FLUSH_INTERVAL", "soon"),
                Map.of("simulator.hosts", "many"));
        assertThatThrownBy(() -> s.duration("writer.flush-interval"))
                .hasMessageContaining("'writer.flush-interval'").hasMessageContaining("VIGIL_WRITER_FLUSH_INTERVAL");
        assertThatThrownBy(() -> s.integer("simulator.hosts", 1, 10)).hasMessageContaining("'simulator.hosts'")
                .hasMessageContaining("command line");
        Settings tooMany = Settings.load(DEFAULTS, null, Map.of(), Map.of("simulator.hosts", "500"));
        assertThatThrownBy(() -> tooMany.integer("simulator.hosts", 1, 100)).hasMessageContaining("between 1 and 100");
    }

    @Test
    void durationsReadTheSameEverywhere() {
        assertThat(Settings.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Settings.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Settings.parseDuration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Settings.parseDuration("4h")).isEqualTo(Duration.ofHours(4));
        assertThat(Settings.parseDuration("14d")).isEqualTo(Duration.ofDays(14));
        assertThat(Settings.parseDuration("P14D")).isEqualTo(Duration.ofDays(14));
        assertThatThrownBy(() -> Settings.parseDuration("soon")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Settings.parseDuration("5w")).hasMessageContaining("needs a unit");
        assertThatThrownBy(() -> Settings.parseDuration("PT-1S")).hasMessageContaining("negative");
    }
}
