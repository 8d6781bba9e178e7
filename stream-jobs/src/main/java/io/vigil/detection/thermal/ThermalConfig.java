package io.vigil.detection.thermal;

import java.io.Serializable;
import java.time.Duration;

/**
 * Parameters of the GPU thermal detector.
 *
 * @param fireAfterSamples consecutive hot samples (at or over the device's slowdown threshold, or a thermal
 *                         clock-event reason set) before the alert fires
 * @param resolveAfterSamples consecutive cool samples (no thermal reason, at least {@code resolveMarginC} under the
 *                         threshold) before a firing alert resolves: the hysteresis that stops flapping
 * @param resolveMarginC   degrees under the slowdown threshold that count as cool
 * @param defaultSlowdownC threshold used when a sample does not carry the device's own
 * @param entityTimeout    event time without samples after which a GPU's state is dropped (a firing alert is
 *                         resolved first, noting that the GPU went silent)
 */
public record ThermalConfig(int fireAfterSamples, int resolveAfterSamples, double resolveMarginC,
                            double defaultSlowdownC, Duration entityTimeout) implements Serializable {

    public ThermalConfig {
        if (fireAfterSamples < 1) throw new IllegalArgumentException("thermal.fire-after-samples must be >= 1");
        if (resolveAfterSamples < 1) throw new IllegalArgumentException("thermal.resolve-after-samples must be >= 1");
        if (resolveMarginC < 0) throw new IllegalArgumentException("thermal.resolve-margin-c must be >= 0");
        if (entityTimeout == null || entityTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException("thermal.entity-timeout must be at least 1 s");
        }
    }

    public static ThermalConfig defaults() {
        return new ThermalConfig(3, 5, 3.0, 87.0, Duration.ofMinutes(2));
    }
}
