package io.vigil.notify.incident;

import io.vigil.model.NotificationAttempt;
import io.vigil.notify.routing.ReceiverSpec;
import java.io.Serializable;

/**
 * One notification the notifier decided on, for one delivery target, handed to the dispatcher.
 *
 * @param id         stable across retries and restarts: incident, episode, target, action and its number
 * @param withheld   SILENCED or MAINTENANCE when a silence or maintenance window holds it back (it is recorded,
 *                   not sent), else null
 * @param causedAtMs when (processing time) the event that made it due reached the notifier: latency counts from it
 */
public record Notification(String id, ReceiverSpec target, NotificationAttempt.Action action,
                           NotificationAttempt.Outcome withheld, IncidentView view, long causedAtMs)
        implements Serializable {

    /** Deliveries of one incident to one target are sent one after another, in this order. */
    public String orderKey() {
        return target.receiver() + "/" + target.target() + "/" + view.incident();
    }
}
