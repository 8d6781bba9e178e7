package io.vigil.detection;

import io.vigil.detection.thermal.ThermalConfig;
import io.vigil.model.Topics;
import java.io.Serializable;
import java.time.Duration;

/**
 * Everything the detection job needs besides its source and sinks.
 *
 * @param maxOutOfOrderness how far behind the newest sample a sample may arrive and still be in order for event time
 * @param idleTimeout       a source partition silent this long stops holding the watermark back
 * @param maxFutureSkew     samples stamped further ahead of this machine's clock are refused
 */
public record DetectionConfig(Topics topics, Duration maxOutOfOrderness, Duration idleTimeout,
                              Duration maxFutureSkew, ThermalConfig thermal) implements Serializable {

    public DetectionConfig {
        if (maxOutOfOrderness.isNegative()) throw new IllegalArgumentException("max-out-of-orderness must be >= 0");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idle-timeout must be > 0");
        if (maxFutureSkew.isNegative()) throw new IllegalArgumentException("max-future-skew must be >= 0");
    }

    public static DetectionConfig defaults() {
        return new DetectionConfig(Topics.defaults(), Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofMinutes(5), ThermalConfig.defaults());
    }

    public DetectionConfig withTopics(Topics newTopics) {
        return new DetectionConfig(newTopics, maxOutOfOrderness, idleTimeout, maxFutureSkew, thermal);
    }
}
