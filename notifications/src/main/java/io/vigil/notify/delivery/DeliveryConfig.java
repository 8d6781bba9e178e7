package io.vigil.notify.delivery;

import java.io.Serializable;
import java.time.Duration;

/**
 * How the dispatcher retries.
 *
 * @param initialBackoff first pause after a failed try; it doubles per try, with full jitter
 * @param maxBackoff     longest pause between two tries (a 429's {@code Retry-After} may ask for longer)
 * @param giveUpAfter    a trigger, update, repeat or refresh still undelivered this long after its first try is
 *                       given up (FAILED): a page that late is worse than none
 * @param requestTimeout one HTTP request's limit
 * @param resolveGiveUpAfter resolutions and acknowledgements are retried this long (days: no page should stay
 *                       open), then given up (FAILED, saying so), so a receiver that is gone for good cannot hold
 *                       delivery slots for ever
 * @param maxPerEndpoint notifications one endpoint may have in delivery at once; beyond it a new one for that
 *                       endpoint fails at once (FAILED, "backlog full"), so one dead receiver cannot take the slots the
 *                       others need
 * @param breakerFailures failed tries in a row (network errors, 408, 425, 429, 5xx) after which an endpoint's
 *                       circuit opens: its notifications then wait without trying, and one probe at a time tests it,
 *                       after a pause that doubles per failed probe from {@code initialBackoff} up to
 *                       {@code maxBackoff}; a probe that gets an answer closes it
 */
public record DeliveryConfig(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter,
                             Duration requestTimeout, Duration resolveGiveUpAfter, int maxPerEndpoint,
                             int breakerFailures)
        implements Serializable {

    public static final Duration DEFAULT_RESOLVE_GIVE_UP_AFTER = Duration.ofHours(72);
    public static final int DEFAULT_MAX_PER_ENDPOINT = 1000;
    public static final int DEFAULT_BREAKER_FAILURES = 5;

    /** With the default limits for resolutions and per endpoint, and the default circuit breaker. */
    public DeliveryConfig(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter, Duration requestTimeout) {
        this(initialBackoff, maxBackoff, giveUpAfter, requestTimeout, DEFAULT_RESOLVE_GIVE_UP_AFTER,
                DEFAULT_MAX_PER_ENDPOINT);
    }

    /** With the default circuit breaker. */
    public DeliveryConfig(Duration initialBackoff, Duration maxBackoff, Duration giveUpAfter, Duration requestTimeout,
                          Duration resolveGiveUpAfter, int maxPerEndpoint) {
        this(initialBackoff, maxBackoff, giveUpAfter, requestTimeout, resolveGiveUpAfter, maxPerEndpoint,
                DEFAULT_BREAKER_FAILURES);
    }

    public DeliveryConfig {
        if (initialBackoff.toMillis() < 1) throw new IllegalArgumentException("notify.retry-initial must be >= 1ms");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("notify.retry-max must be >= notify.retry-initial");
        }
        if (giveUpAfter.isNegative() || giveUpAfter.isZero()) throw new IllegalArgumentException("notify.give-up-after must be > 0");
        if (requestTimeout.toMillis() < 100) throw new IllegalArgumentException("notify.request-timeout must be >= 100ms");
        if (resolveGiveUpAfter.compareTo(giveUpAfter) < 0) {
            throw new IllegalArgumentException("notify.resolve-give-up-after must be >= notify.give-up-after");
        }
        if (maxPerEndpoint < 1) throw new IllegalArgumentException("notify.max-in-flight-per-endpoint must be >= 1");
        if (breakerFailures < 1) throw new IllegalArgumentException("notify.breaker-failures must be >= 1");
    }

    public static DeliveryConfig defaults() {
        return new DeliveryConfig(Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofHours(1),
                Duration.ofSeconds(10));
    }
}
