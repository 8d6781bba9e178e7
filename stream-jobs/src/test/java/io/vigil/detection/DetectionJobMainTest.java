package io.vigil.detection;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.config.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DetectionJobMainTest {

    /**
     * The scorecard, the benchmarks and the tests build the job from {@link DetectionConfig#defaults()}; production
     * from the settings' defaults. They must be one configuration, or the scorecard measures thresholds production
     * does not run.
     */
    @Test
    void theProductionDefaultsAreTheConfigurationTheScorecardMeasures() {
        Settings s = Settings.load(DetectionJobMain.settings(), null, Map.of(), Map.of());
        DetectionConfig production = DetectionJobMain.JobSettings.from(s).detection();
        DetectionConfig measured = DetectionConfig.defaults();
        assertThat(production.thermal()).isEqualTo(measured.thermal());
        assertThat(production.straggler()).isEqualTo(measured.straggler());
        assertThat(production.stall()).isEqualTo(measured.stall());
        assertThat(production.health()).isEqualTo(measured.health());
        assertThat(production.facility()).isEqualTo(measured.facility());
        assertThat(production).usingRecursiveComparison().isEqualTo(measured);
    }
}
