package io.vigil.dashboard.data;

import io.vigil.model.config.DashboardSettings;
import io.vigil.model.config.SettingSpecs;
import io.vigil.model.config.Settings;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Puts the console's settings ({@link DashboardSettings}, their one definition) into Spring before any bean reads
 * them: each value from a Spring source (a command-line {@code --vigil.dashboard...=}, a test's properties), else
 * from {@code VIGIL_<KEY>}, else the default; every one checked against its range, so a bad value stops the start
 * with the setting's name instead of surfacing later in a bean.
 */
public final class DashboardSettingsLoader implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        SettingSpecs specs = DashboardSettings.settings();
        Map<String, String> given = new HashMap<>();
        for (SettingSpecs.Spec spec : specs.all()) {
            String v = environment.getProperty(DashboardSettings.springProperty(spec.key()));
            if (v != null) given.put(spec.key(), v);
        }
        Settings settings = Settings.load(specs, null, System.getenv(), given);
        Map<String, Object> values = new HashMap<>();
        for (SettingSpecs.Spec spec : specs.all()) {
            values.put(DashboardSettings.springProperty(spec.key()), settings.string(spec.key()));
        }
        environment.getPropertySources().addLast(new MapPropertySource("vigil-dashboard-settings", values));
    }
}
