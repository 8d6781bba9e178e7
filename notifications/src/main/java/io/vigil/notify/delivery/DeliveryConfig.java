package io.vigil.notify.delivery;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the dispatcher retries.
 *
 * @param initialBackoff first pause after a failed try; it doubles per try, with full jitter
 * @param maxBackoff     longest pause between two tries (a 429's {@code Retry-After} may ask for longer)
 * @param giveUpAfter    a trigger, update, repeat or refresh still undelivered this long after its first try is
 *                       given up (FAILED): a page that late is worse than none. Resolutions and acknowledgements are
 *                       retried without limit, so no page stays open.
 * @param requestTimeout one HTTP request's limit
 */
public record DeliveryConfig(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter,
                             Duration requestTimeout) implements Serializable {

    public DeliveryConfig {
        if (initialBackoff.toMillis() < 1) throw new IllegalArgumentException("notify.retry-initial must be >= 1ms");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("notify.retry-max must be >= notify.retry-initial");
        }
        if (giveUpAfter.isNegative() || giveUpAfter.isZero()) throw new IllegalArgumentException("notify.give-up-after must be > 0");
        if (requestTimeout.toMillis() < 100) throw new IllegalArgumentException("notify.request-timeout must be >= 100ms");
    }

    public static DeliveryConfig defaults() {
        return new DeliveryConfig(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(1),
                Duration.ofSeconds(10));
    }
}
