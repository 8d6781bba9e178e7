package io.vigil.model;

import java.util.List;

/**
 * Vigil's Kafka topics, each defined once. The prefix (default {@code vigil.}) lets several Vigil installations
 * share one Kafka cluster.
 */
public record Topics(String prefix) implements java.io.Serializable {

    public static final String DEFAULT_PREFIX = "vigil.";

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    public Topics {
        if (prefix == null || !prefix.matches("[A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("topic prefix may hold only letters, digits, '.', '_' and '-': " + prefix);
        }
    }

    public String gpu() { return prefix + "telemetry.gpu"; }
    public String power() { return prefix + "telemetry.power"; }
    public String cooling() { return prefix + "telemetry.cooling"; }
    public String jobs() { return prefix + "jobs"; }
    /** Optional per-rank training step events, from the training loop itself ({@link StepEvent}). */
    public String steps() { return prefix + "telemetry.steps"; }
    public String alerts() { return prefix + "alerts"; }
    public String deadLetter() { return prefix + "deadletter"; }
    /** Every attempt to deliver a notification ({@link NotificationAttempt}): the on-call audit trail. */
    public String notifications() { return prefix + "notifications"; }
    /** Silences, maintenance windows and acknowledgements ({@link Silence}); compacted, keyed by id. */
    public String silences() { return prefix + "silences"; }

    /** The topics that carry telemetry and job events into detection and storage. */
    public List<String> telemetry() {
        return List.of(gpu(), power(), cooling(), jobs());
    }

    /** What detection reads: the telemetry plus step events. */
    public List<String> detectionInputs() {
        return List.of(gpu(), power(), cooling(), jobs(), steps());
    }

    public List<String> all() {
        return List.of(gpu(), power(), cooling(), jobs(), steps(), alerts(), deadLetter(), notifications(), silences());
    }

    /** The topic that carries records of this schema. */
    public String topicFor(Schema schema) {
        return switch (schema) {
            case GPU -> gpu();
            case POWER -> power();
            case COOLING -> cooling();
            case JOB -> jobs();
            case STEP -> steps();
            case ALERT -> alerts();
        };
    }
}
