package io.vigil.model;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A label matcher as Alertmanager writes them: {@code name="value"}, {@code name!="value"}, {@code name=~"regex"}
 * and {@code name!~"regex"}; a regex matches the whole value. A label an alert lacks reads as the empty string, so
 * {@code team=""} matches alerts without a team. Used by notification routes and by silences.
 */
public record LabelMatcher(String name, String op, String value) implements Serializable {

    private static final Pattern SYNTAX =
            Pattern.compile("\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|([^\"\\s]*))\\s*");

    public LabelMatcher {
        if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("a matcher's label name must be letters, digits and '_', was '" + name + "'");
        }
        if (!List.of("=", "!=", "=~", "!~").contains(op)) {
            throw new IllegalArgumentException("matcher operator must be =, !=, =~ or !~, was '" + op + "'");
        }
        if (value == null) throw new IllegalArgumentException("matcher " + name + " needs a value");
        if (op.endsWith("~")) Pattern.compile(value);
    }

    /** Parses {@code name="value"} (quotes optional when the value has no space or quote). */
    public static LabelMatcher parse(String text) {
        Matcher m = SYNTAX.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a matcher: '" + text + "' (expected e.g. team=\"ml\" or type=~\"COOLING|POWER\")");
        }
        String value = m.group(4) != null ? m.group(4).replaceAll("\\\\(.)", "$1") : m.group(5);
        try {
            return new LabelMatcher(m.group(1), m.group(2), value);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("bad regex in matcher '" + text + "': " + e.getDescription());
        }
    }

    /** Whether the labels satisfy this matcher. */
    public boolean matches(Map<String, String> labels) {
        String v = labels.getOrDefault(name, "");
        return switch (op) {
            case "=" -> v.equals(value);
            case "!=" -> !v.equals(value);
            case "=~" -> v.matches(value);
            default -> !v.matches(value);
        };
    }

    public static boolean all(List<LabelMatcher> matchers, Map<String, String> labels) {
        for (LabelMatcher m : matchers) {
            if (!m.matches(labels)) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return name + op + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
