package io.vigil.notify;

import io.vigil.notify.delivery.DeliveryConfig;
import io.vigil.notify.routing.RoutingConfig;
import java.io.Serializable;
import java.time.Duration;

/**
 * Everything the notification job needs besides its sources and sink.
 *
 * @param dashboardUrl  base URL for links in notifications (incident pages), or null
 * @param orphanTimeout how long alerts attached to an incident wait for its root
 * @param maxInFlight   notifications being delivered or retried at once per dispatcher instance; when full, the
 *                      notification job (only) is back-pressured
 */
public record NotifyConfig(RoutingConfig routing, String dashboardUrl, Duration orphanTimeout, DeliveryConfig delivery,
                           int maxInFlight) implements Serializable {

    public NotifyConfig {
        if (maxInFlight < 1) throw new IllegalArgumentException("notify.max-in-flight must be >= 1");
        if (orphanTimeout.isNegative() || orphanTimeout.isZero()) {
            throw new IllegalArgumentException("notify.orphan-timeout must be > 0");
        }
    }
}
