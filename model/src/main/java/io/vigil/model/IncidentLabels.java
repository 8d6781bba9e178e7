package io.vigil.model;

import java.util.Map;

/**
 * How an alert says which incident it belongs to, defined once for detection (which sets the labels), notifications
 * (which pages per incident), the dashboard (which groups by incident) and evaluation (which scores root pages):
 * the correlator labels every alert with {@value #INCIDENT}, the id of its incident (the root alert's fingerprint),
 * and {@value #ROOT}, {@code true} on the root alert only.
 */
public final class IncidentLabels {

    /** The label naming an alert's incident. */
    public static final String INCIDENT = "incident";
    /** The label that is {@code "true"} on the alert that roots its incident. */
    public static final String ROOT = "root";

    private IncidentLabels() {}

    /** The incident an alert belongs to: its {@value #INCIDENT} label, or (none, or blank) its own fingerprint. */
    public static String incidentId(Map<String, String> labels, String fingerprint) {
        String id = labels == null ? null : labels.get(INCIDENT);
        return id == null || id.isBlank() ? fingerprint : id;
    }

    public static String incidentId(AlertEvent a) {
        return incidentId(a.labels(), a.fingerprint());
    }

    /** Whether the alert is its incident's root, as the correlator labelled it. */
    public static boolean isRoot(Map<String, String> labels) {
        return labels != null && "true".equals(labels.get(ROOT));
    }
}
