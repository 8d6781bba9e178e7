package io.vigil.collectors.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;

/**
 * Lenient reading of Redfish values as real BMCs send them: numbers may come as strings ({@code "5500"}),
 * {@code null} or a missing property means "not measured", a reading may be an excerpt object with {@code Reading}
 * or a plain number, and durations are ISO 8601 ({@code PT12.5S}). Anything that is not a finite number is absent,
 * never zero.
 */
final class RedfishValues {

    private RedfishValues() {}

    /** A number, a numeric string, or null. */
    static Double number(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        double v;
        if (node.isNumber()) {
            v = node.asDouble();
        } else if (node.isTextual()) {
            String s = node.asText().trim();
            if (s.isEmpty()) return null;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        return Double.isFinite(v) ? v : null;
    }

    /** A whole number (a count), or null. */
    static Long count(JsonNode node) {
        Double d = number(node);
        return d == null ? null : Math.round(d);
    }

    /** A Redfish excerpt's {@code Reading}, or a plain number. */
    static Double reading(JsonNode node) {
        return node != null && node.isObject() ? number(node.path("Reading")) : number(node);
    }

    /** An ISO 8601 duration ({@code PT1H2M3.5S}, {@code P1DT2H}) in seconds, or a plain number of seconds; else null. */
    static Double seconds(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return null;
        if (node.isNumber()) return number(node);
        String s = node.asText().trim();
        if (s.isEmpty()) return null;
        try {
            Duration d = Duration.parse(s);
            return d.isNegative() ? null : d.toNanos() / 1e9;
        } catch (DateTimeParseException | ArithmeticException e) {
            return number(node);
        }
    }

    /** A boolean, or {@code "true"}/{@code "false"} as text; else null. */
    static Boolean bool(JsonNode node) {
        if (node == null) return null;
        if (node.isBoolean()) return node.asBoolean();
        if (node.isTextual()) {
            String s = node.asText().trim();
            if (s.equalsIgnoreCase("true")) return true;
            if (s.equalsIgnoreCase("false")) return false;
        }
        return null;
    }

    /** Text, or null for null, missing or non-text values. */
    static String text(JsonNode node) {
        if (node == null || !(node.isTextual() || node.isNumber())) return null;
        String s = node.asText().trim();
        return s.isEmpty() ? null : s;
    }

    /** Whether a resource's {@code @odata.type} names {@code type} (e.g. {@code #Processor.v1_20_0.Processor}). */
    static boolean isType(JsonNode resource, String type) {
        String t = resource.path("@odata.type").asText("");
        return t.startsWith("#" + type + ".") || t.equals("#" + type);
    }

    /** Whether the resource says what type it is at all (a synthesized report document does not). */
    static boolean typed(JsonNode resource) {
        return resource.hasNonNull("@odata.type");
    }
}
