package io.vigil.dashboard.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.model.config.DashboardSettings;
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class DashboardSettingsLoaderTest {

    static StandardEnvironment load(Map<String, Object> given) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("given", given));
        new DashboardSettingsLoader().postProcessEnvironment(env, null);
        return env;
    }

    @Test
    void everyKeyHasItsDefaultUnlessGivenAndAGivenValueWins() {
        StandardEnvironment env = load(Map.of("vigil.dashboard.refresh-interval", "5s"));
        assertThat(env.getProperty("vigil.dashboard.refresh-interval")).isEqualTo("5s");
        for (SettingSpecs.Spec spec : DashboardSettings.settings().all()) {
            if (spec.key().equals("dashboard.refresh-interval")) continue;
            assertThat(env.getProperty(DashboardSettings.springProperty(spec.key()))).as(spec.key())
                    .isEqualTo(spec.defaultValue());
        }
        assertThat(env.getProperty("server.servlet.session.timeout")).isEqualTo("30m");
    }

    @Test
    void aValueOutOfItsRangeStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> load(Map.of("vigil.dashboard.login.free-attempts", "0")))
                .isInstanceOf(Settings.ConfigException.class).hasMessageContaining("dashboard.login.free-attempts");
        assertThatThrownBy(() -> load(Map.of("vigil.dashboard.refresh-interval", "soon")))
                .isInstanceOf(Settings.ConfigException.class).hasMessageContaining("dashboard.refresh-interval");
    }

    /** No default of the console's settings is written a second time in its Spring configuration or its code. */
    @Test
    void noDefaultIsWrittenASecondTime() throws Exception {
        String properties = Files.readString(Path.of("src", "main", "resources", "application.properties"));
        StringBuilder code = new StringBuilder();
        try (var files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) code.append(Files.readString(f));
        }
        for (SettingSpecs.Spec spec : DashboardSettings.settings().all()) {
            String property = DashboardSettings.springProperty(spec.key());
            assertThat(properties).as(spec.key()).doesNotContain(property + "=");
            assertThat(code.toString()).as(spec.key()).doesNotContain("${" + property + ":");
        }
    }
}
