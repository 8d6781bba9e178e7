package io.vigil.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.config.SettingSpecs.Range;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingSpecsTest {

    static SettingSpecs catalog() {
        return new SettingSpecs()
                .add("simulator.hosts", "64", Range.integer(1, 20_000), "simulated hosts")
                .add("stall.fraction", "0.9", Range.decimal(0.5, 1), "share of ranks paused")
                .add("writer.flush-interval", "500ms", Range.duration(Duration.ofMillis(10), Duration.ofMinutes(1)),
                        "how often the writer flushes")
                .add("kafka.security-protocol", "plaintext", Range.oneOf("plaintext", "sasl-ssl"), "how to connect")
                .add("db.url", "", Range.oneOf("x"), "an optional key with a range")
                .add("kafka.bootstrap", "127.0.0.1:9092", "any text");
    }

    @Test
    void valuesInRangeAreReadWithTheCatalogsBounds() {
        Settings s = Settings.load(catalog(), null, Map.of("VIGIL_SIMULATOR_HOSTS", "20000"),
                Map.of("stall.fraction", "0.5", "kafka.security-protocol", "SASL-SSL"));
        assertThat(s.integer("simulator.hosts")).isEqualTo(20_000);
        assertThat(s.decimal("stall.fraction")).isEqualTo(0.5);
        assertThat(s.duration("writer.flush-interval")).isEqualTo(Duration.ofMillis(500));
        assertThat(s.string("kafka.security-protocol")).isEqualTo("SASL-SSL");
        assertThat(s.optional("db.url")).as("an empty value is 'not set', not out of range").isNull();
    }

    @Test
    void aValueOutOfRangeIsRefusedAtLoadNamingKeyOriginAndRange() {
        assertThatThrownBy(() -> Settings.load(catalog(), null, Map.of("VIGIL_SIMULATOR_HOSTS", "20001"), Map.of()))
                .isInstanceOf(Settings.ConfigException.class)
                .hasMessageContaining("'simulator.hosts' = '20001'")
                .hasMessageContaining("environment VIGIL_SIMULATOR_HOSTS")
                .hasMessageContaining("between 1 and 20,000");
        assertThatThrownBy(() -> Settings.load(catalog(), null, Map.of(), Map.of("stall.fraction", "0.4")))
                .hasMessageContaining("'stall.fraction'").hasMessageContaining("command line")
                .hasMessageContaining("between 0.5 and 1");
        assertThatThrownBy(() -> Settings.load(catalog(), null, Map.of(), Map.of("simulator.hosts", "many")))
                .hasMessageContaining("is not a whole number");
        assertThatThrownBy(() -> Settings.load(catalog(), null, Map.of(), Map.of("writer.flush-interval", "2m")))
                .hasMessageContaining("'writer.flush-interval'").hasMessageContaining("between 10ms and 1m");
        assertThatThrownBy(() -> Settings.load(catalog(), null, Map.of(), Map.of("writer.flush-interval", "soon")))
                .hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> Settings.load(catalog(), null, Map.of(),
                Map.of("kafka.security-protocol", "ssl")))
                .hasMessageContaining("must be one of plaintext, sasl-ssl");
    }

    @Test
    void aDefaultOutOfItsOwnRangeIsABugCaughtWhereItIsDeclared() {
        assertThatThrownBy(() -> new SettingSpecs().add("simulator.hosts", "0", Range.integer(1, 10), "hosts"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'simulator.hosts'");
    }

    @Test
    void readingARangeTheCatalogDoesNotHaveIsAProgrammingError() {
        Settings s = Settings.load(catalog(), null, Map.of(), Map.of());
        assertThatThrownBy(() -> s.integer("kafka.bootstrap")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'kafka.bootstrap'");
        assertThatThrownBy(() -> s.decimal("simulator.hosts")).isInstanceOf(IllegalStateException.class);
        Settings plain = Settings.load(catalog().defaults(), null, Map.of(), Map.of());
        assertThatThrownBy(() -> plain.integer("simulator.hosts")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void overridingADefaultKeepsTheRangeAndTheTableShowsIt() {
        SettingSpecs s = catalog().override("simulator.hosts", "8", "hosts of the demo");
        assertThat(s.range("simulator.hosts")).isEqualTo(Range.integer(1, 20_000));
        String table = s.markdownTable();
        assertThat(table).startsWith("| key | default | allowed | meaning |");
        assertThat(table).contains("| `simulator.hosts` | 8 | 1–20,000 | hosts of the demo |");
        assertThat(table).contains("| `stall.fraction` | 0.9 | 0.5–1 |");
        assertThat(table).contains("| `writer.flush-interval` | 500ms | 10ms–1m |");
        assertThat(table).contains("| `kafka.bootstrap` | 127.0.0.1:9092 |  | any text |");
    }

    @Test
    void aDurationMayHaveOnlyALowerBound() {
        SettingSpecs s = new SettingSpecs().add("writer.retention-raw", "P14D", Range.atLeast(Duration.ofDays(1)),
                "how long raw samples are kept");
        assertThat(Settings.load(s, null, Map.of(), Map.of("writer.retention-raw", "400d"))
                .duration("writer.retention-raw")).isEqualTo(Duration.ofDays(400));
        assertThatThrownBy(() -> Settings.load(s, null, Map.of(), Map.of("writer.retention-raw", "12h")))
                .hasMessageContaining("must be at least 1d");
        assertThat(s.markdownTable()).contains("| P14D | at least 1d |");
    }
}
