package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One attempt to deliver one notification about one incident to one receiver, on {@link Topics#notifications()}:
 * the on-call audit trail. A notification that needed three tries leaves three attempts with the same
 * {@code notificationId} and growing {@code attempt}; one withheld by a silence or a maintenance window leaves one
 * attempt with outcome {@link Outcome#SILENCED} or {@link Outcome#MAINTENANCE} and no request.
 *
 * @param notificationId stable for one notification across retries and restarts (the receivers' idempotency key
 *                       where they take one)
 * @param receiver       the receiver's name in the routing file; {@code target} tells instances of one receiver
 *                       apart (an Alertmanager HA pair) without its URL, which may hold a secret
 * @param incident       the incident's fingerprint (the root alert's), {@code incidentStartsAt} its episode
 * @param latencyMs      from the incident's event that caused the notification until this attempt's answer
 */
public record NotificationAttempt(
        String notificationId,
        int attempt,
        String receiver,
        String receiverType,
        String target,
        String incident,
        Instant incidentStartsAt,
        Action action,
        Outcome outcome,
        Instant at,
        long latencyMs,
        Integer httpStatus,
        String error,
        String type,
        String severity,
        String team,
        String summary) {

    /** What the notification says. */
    public enum Action {
        /** The incident's first page. */
        TRIGGER,
        /** The incident grew (new jobs, racks or attached alerts) after its first page. */
        UPDATE,
        /** Still firing and unacknowledged after the route's repeat interval. */
        REPEAT,
        /** Someone acknowledged it (sent to receivers that have the notion, PagerDuty). */
        ACKNOWLEDGE,
        /** Alertmanager only: the firing alert re-sent so it does not time out there. */
        REFRESH,
        /** The incident resolved. */
        RESOLVE
    }

    public enum Outcome {
        /** The receiver accepted it (HTTP 2xx). */
        DELIVERED,
        /** This try failed; another follows after a backoff. */
        RETRYING,
        /** Given up: the receiver refused it for good (HTTP 4xx other than 408/429), or retries ran out. */
        FAILED,
        /** Not sent: a silence matched. */
        SILENCED,
        /** Not sent: a maintenance window covered the incident. */
        MAINTENANCE
    }

    @JsonProperty("schema")
    public String schema() {
        return "vigil.notification.v1";
    }

    public static NotificationAttempt decode(byte[] bytes) {
        try {
            return WireFormat.mapper().readValue(bytes, NotificationAttempt.class);
        } catch (IOException e) {
            throw new UncheckedIOException("not a notification attempt", e);
        }
    }
}
