package io.vigil.detection.health;

import java.io.Serializable;
import java.time.Duration;

/**
 * Parameters of the host health detector.
 *
 * @param silenceTimeout      event time without a sample after which a GPU (or, all its GPUs at once, a host) is
 *                            silent, while the rest of the site keeps reporting
 * @param entityTimeout       a host silent this long is forgotten (its alerts resolved, noting it): hosts leave
 * @param lostResolveSamples  consecutive healthy samples that resolve a GPU_LOST alert
 * @param xidHold             an XID alert resolves after this long without the same XID again
 * @param coldPlateDeltaC     a GPU this much hotter than its host peers at similar power, beyond its own usual
 *                            difference, is suspect (failing cold plate, pump or fan)
 * @param similarPowerFraction peers count as at similar power within this share of the power limit
 * @param coldPlateFireSamples consecutive suspect samples that fire the alert
 * @param coldPlateResolveSamples consecutive normal samples that resolve it
 * @param coldPlateWarmupSamples samples a GPU's usual difference is learned over before it is judged
 */
public record HostHealthConfig(Duration silenceTimeout, Duration entityTimeout, int lostResolveSamples,
                               Duration xidHold, double coldPlateDeltaC, double similarPowerFraction,
                               int coldPlateFireSamples, int coldPlateResolveSamples, int coldPlateWarmupSamples)
        implements Serializable {

    public HostHealthConfig {
        if (silenceTimeout.toMillis() < 1000) throw new IllegalArgumentException("health.silence-timeout must be >= 1 s");
        if (entityTimeout.compareTo(silenceTimeout) <= 0) {
            throw new IllegalArgumentException("health.entity-timeout must be longer than health.silence-timeout");
        }
        if (lostResolveSamples < 1 || coldPlateFireSamples < 1 || coldPlateResolveSamples < 1) {
            throw new IllegalArgumentException("health: sample counts must be >= 1");
        }
        if (coldPlateDeltaC <= 0) throw new IllegalArgumentException("health.cold-plate-delta-c must be > 0");
    }

    public static HostHealthConfig defaults() {
        return new HostHealthConfig(Duration.ofSeconds(15), Duration.ofMinutes(10), 3, Duration.ofMinutes(10), 5.0,
                0.15, 3, 10, 20);
    }
}
