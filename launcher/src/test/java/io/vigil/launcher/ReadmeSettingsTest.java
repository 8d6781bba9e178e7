package io.vigil.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.collectors.simulator.SimulatorMain;
import io.vigil.detection.DetectionJobMain;
import io.vigil.launcher.cluster.ClusterConfig;
import io.vigil.model.config.SettingSpecs;
import io.vigil.notify.NotificationJobMain;
import io.vigil.storage.writer.WriterMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's configuration table is rendered from the components' setting catalogs ({@link SettingSpecs}: each key
 * with its default, allowed values and description, defined once in the component that reads it) and must equal
 * that rendering. On drift the test writes the rendered table to {@code target/configuration-table.md}, to paste into the README.
 */
class ReadmeSettingsTest {

    static String readmeTable() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String section = readme.substring(readme.indexOf("\n## Configuration"));
        int start = section.indexOf("| key | default | allowed | meaning |");
        int end = section.indexOf("\n\n", start);
        return section.substring(start, end + 1);
    }

    @Test
    void theConfigurationTableIsRenderedFromTheSettingCatalogs() throws Exception {
        String rendered = PlatformConfig.catalog().markdownTable();
        String documented = readmeTable();
        if (!documented.equals(rendered)) {
            Path out = Path.of("target", "configuration-table.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, rendered);
            assertThat(documented).as("README's configuration table vs the catalogs, rendered in " + out.toAbsolutePath())
                    .isEqualTo(rendered);
        }
    }

    /**
     * Every component's own keys are the launcher's, with the same default, save the two the launcher fills itself
     * (its own broker and database); so a component run alone and the same component under the launcher agree.
     */
    @Test
    void eachComponentDefinesItsKeysOnceAndTheLauncherKeepsTheirDefaults() {
        Map<String, String> all = PlatformConfig.catalog().defaults();
        Set<String> filledByTheLauncher = Set.of("kafka.bootstrap", "db.url");
        for (SettingSpecs component : List.of(SimulatorMain.settings(), DetectionJobMain.settings(),
                WriterMain.settings(), NotificationJobMain.settings(), ClusterConfig.settings(),
                io.vigil.model.config.DashboardSettings.settings(),
                io.vigil.launcher.container.ContainerConfig.settings())) {
            for (SettingSpecs.Spec s : component.all()) {
                assertThat(all).containsKey(s.key());
                if (!filledByTheLauncher.contains(s.key())) {
                    assertThat(all.get(s.key())).as(s.key()).isEqualTo(s.defaultValue());
                }
            }
        }
        assertThat(PlatformConfig.catalog().all()).allSatisfy(s -> assertThat(s.description()).isNotBlank());
    }
}
