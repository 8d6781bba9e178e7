package io.vigil.collectors.redfish;

import static io.vigil.collectors.redfish.RedfishValues.bool;
import static io.vigil.collectors.redfish.RedfishValues.number;
import static io.vigil.collectors.redfish.RedfishValues.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.vigil.model.CoolingSample.LeakDetector;
import io.vigil.model.CoolingSample.LeakDetector.State;
import java.util.Locale;
import java.util.Set;

/**
 * One Redfish {@code LeakDetector} read so that a leak cannot be missed. DMTF's {@code DetectorState} is
 * {@code OK}, {@code Warning} or {@code Critical}, but real trays say other words ({@code LeakDetected} on NVIDIA's
 * GB300 compute trays). Only a state recognised as healthy is {@code OK}; {@code Warning} is a warning; any other
 * word is a leak ({@code CRITICAL}). {@code Status.Health} raises the state too: {@code Warning} to at least
 * WARNING, {@code Critical} to CRITICAL. A detector that says nothing at all (no state, no health, no
 * {@code LeakDetected}) is left out, as is an {@code Absent} or {@code Disabled} one.
 */
final class LeakDetectorReading {

    /** States that mean dry, in the words services use. */
    static final Set<String> HEALTHY = Set.of("OK", "NORMAL", "NOLEAK", "NOTDETECTED", "NONE", "DRY", "CLEAR");

    /** What a detector watches, when its id or name says so and its context does not. */
    private static final String[] PLACES = {"ColdPlate", "Manifold", "Pump", "Reservoir", "Tray", "Rack", "Floor",
        "Chassis", "Inlet", "Outlet", "Hose", "Connector"};

    private LeakDetectorReading() {}

    static LeakDetector read(JsonNode d) {
        String enabled = d.path("Status").path("State").asText("Enabled");
        if (enabled.equals("Absent") || enabled.equals("Disabled")) return null;
        String name = text(d.path("Id"));
        if (name == null) name = text(d.path("Name"));
        if (name == null) name = text(d.path("DataSourceUri"));
        if (name == null) return null;
        String reported = text(d.path("DetectorState"));
        State state = null;
        if (reported != null) {
            String word = reported.toUpperCase(Locale.ROOT).replaceAll("[^A-Z]", "");
            state = HEALTHY.contains(word) ? State.OK : word.equals("WARNING") ? State.WARNING : State.CRITICAL;
        } else {
            Boolean present = bool(d.path("LeakDetected"));
            if (present != null) state = present ? State.CRITICAL : State.OK;
        }
        String health = d.path("Status").path("Health").asText("");
        if (health.equalsIgnoreCase("Critical")) {
            state = State.CRITICAL;
        } else if (health.equalsIgnoreCase("Warning") && (state == null || state == State.OK)) {
            state = State.WARNING;
        } else if (health.equalsIgnoreCase("OK") && state == null) {
            state = State.OK;
        }
        if (state == null) return null;
        Double delay = number(d.path("ReactionDelaySeconds"));
        return new LeakDetector(name, state, where(d, name), reported, delay != null && delay >= 0 ? delay : null,
                text(d.path("CriticalReactionType")));
    }

    /** The detector's place: its physical context where it states one, else a known word in its id or name. */
    private static String where(JsonNode d, String name) {
        String sub = text(d.path("PhysicalSubContext"));
        String context = text(d.path("PhysicalContext"));
        String label = (name + " " + d.path("Name").asText("")).toLowerCase(Locale.ROOT);
        for (String place : PLACES) {
            if (label.contains(place.toLowerCase(Locale.ROOT))) return place;
        }
        return sub != null ? sub : context;
    }
}
