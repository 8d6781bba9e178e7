package io.vigil.model.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A component's settings, each key once, with its default, the values it may take, and a one-line description: the
 * one place they live. {@link Settings#load(SettingSpecs, java.nio.file.Path, Map, Map)} refuses an unknown key or a
 * value out of its range before the component starts; the component's {@code defaults()} and the README's
 * configuration table ({@code ReadmeSettingsTest} renders it from the launcher's merged catalog and compares) are
 * derived from it.
 */
public final class SettingSpecs {

    /** One key: its default ("" for none), the values it may take (null: any text) and what it means. */
    public record Spec(String key, String defaultValue, Range range, String description) {
        public Spec {
            if (key == null || !key.matches("[a-z0-9]+(\\.[a-z0-9-]+)+")) {
                throw new IllegalArgumentException("setting key '" + key + "' is not of the form group.name");
            }
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("setting '" + key + "' has no description");
            }
            if (range != null && !defaultValue.isEmpty() && range.problem(defaultValue) != null) {
                throw new IllegalArgumentException("setting '" + key + "': its default '" + defaultValue + "' "
                        + range.problem(defaultValue));
            }
        }
    }

    /**
     * The values a setting may take. Checked when settings are loaded, so a bad value stops a component before it
     * starts, with the key, where the value came from, and what is allowed. An empty value means "not set"; whether
     * that is allowed is for the component to say.
     */
    public record Range(Kind kind, double min, double max, java.util.List<String> choices) {
        public enum Kind { INTEGER, DECIMAL, DURATION, CHOICE }

        public static Range integer(long min, long max) {
            return new Range(Kind.INTEGER, min, max, java.util.List.of());
        }

        public static Range decimal(double min, double max) {
            return new Range(Kind.DECIMAL, min, max, java.util.List.of());
        }

        /** A duration as {@link Settings#parseDuration} reads it, from {@code min} to {@code max}. */
        public static Range duration(java.time.Duration min, java.time.Duration max) {
            return new Range(Kind.DURATION, min.toMillis(), max.toMillis(), java.util.List.of());
        }

        /** A duration of at least {@code min}, with no upper bound. */
        public static Range atLeast(java.time.Duration min) {
            return new Range(Kind.DURATION, min.toMillis(), Double.POSITIVE_INFINITY, java.util.List.of());
        }

        /** One of {@code choices}, in any case. */
        public static Range oneOf(String... choices) {
            return new Range(Kind.CHOICE, 0, 0, java.util.List.of(choices));
        }

        /** What is wrong with {@code value}, or null when it is allowed. */
        public String problem(String value) {
            String v = value.trim();
            try {
                switch (kind) {
                    case INTEGER -> {
                        long i = Long.parseLong(v);
                        if (i < min || i > max) return "must be between " + text(min) + " and " + text(max);
                    }
                    case DECIMAL -> {
                        double d = Double.parseDouble(v);
                        if (!(d >= min && d <= max)) return "must be between " + text(min) + " and " + text(max);
                    }
                    case DURATION -> {
                        long ms;
                        try {
                            ms = Settings.parseDuration(v).toMillis();
                        } catch (IllegalArgumentException e) {
                            return e.getMessage();
                        }
                        if (ms < min || ms > max) {
                            return max == Double.POSITIVE_INFINITY ? "must be at least " + durationText((long) min)
                                    : "must be between " + durationText((long) min) + " and " + durationText((long) max);
                        }
                    }
                    case CHOICE -> {
                        if (choices.stream().noneMatch(v::equalsIgnoreCase)) {
                            return "must be one of " + String.join(", ", choices);
                        }
                    }
                }
                return null;
            } catch (NumberFormatException e) {
                return kind == Kind.INTEGER ? "is not a whole number" : "is not a number";
            }
        }

        /** For the README: {@code 1–64}, {@code 0.5–1}, {@code 1s–10m}, {@code plaintext, sasl-ssl}. */
        public String describe() {
            return switch (kind) {
                case INTEGER, DECIMAL -> text(min) + "–" + text(max);
                case DURATION -> max == Double.POSITIVE_INFINITY ? "at least " + durationText((long) min)
                        : durationText((long) min) + "–" + durationText((long) max);
                case CHOICE -> String.join(", ", choices);
            };
        }

        private static String text(double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                return String.format(java.util.Locale.ROOT, "%,d", (long) d);
            }
            return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }

        private static String durationText(long ms) {
            if (ms % 86_400_000 == 0 && ms > 0) return ms / 86_400_000 + "d";
            if (ms % 3_600_000 == 0 && ms > 0) return ms / 3_600_000 + "h";
            if (ms % 60_000 == 0 && ms > 0) return ms / 60_000 + "m";
            if (ms % 1000 == 0) return ms / 1000 + "s";
            return ms + "ms";
        }
    }

    private final Map<String, Spec> specs = new LinkedHashMap<>();

    /** Adds a key that takes any text; a key added twice is a bug. */
    public SettingSpecs add(String key, String defaultValue, String description) {
        return add(key, defaultValue, null, description);
    }

    /** Adds a key whose values must lie in {@code range}; a key added twice is a bug. */
    public SettingSpecs add(String key, String defaultValue, Range range, String description) {
        if (specs.containsKey(key)) throw new IllegalArgumentException("setting '" + key + "' defined twice");
        specs.put(key, new Spec(key, defaultValue, range, description));
        return this;
    }

    /** Adds every key of {@code other} not here yet (components share the Kafka and database keys). */
    public SettingSpecs addAll(SettingSpecs other) {
        other.specs.values().forEach(s -> specs.putIfAbsent(s.key(), s));
        return this;
    }

    /** Replaces a key's default and description where one component runs others (the launcher); its range stays. */
    public SettingSpecs override(String key, String defaultValue, String description) {
        if (!specs.containsKey(key)) throw new IllegalArgumentException("no setting '" + key + "' to override");
        specs.put(key, new Spec(key, defaultValue, specs.get(key).range(), description));
        return this;
    }

    /** The range of {@code key}, or null when it takes any text or is not here. */
    public Range range(String key) {
        Spec s = specs.get(key);
        return s == null ? null : s.range();
    }

    public Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        specs.values().forEach(s -> d.put(s.key(), s.defaultValue()));
        return d;
    }

    public Map<String, String> descriptions() {
        Map<String, String> d = new LinkedHashMap<>();
        specs.values().forEach(s -> d.put(s.key(), s.description()));
        return d;
    }

    public Collection<Spec> all() {
        return Collections.unmodifiableCollection(specs.values());
    }

    /** The settings as a Markdown table: key, default, allowed values, meaning, in the order they were added. */
    public String markdownTable() {
        StringBuilder b = new StringBuilder("| key | default | allowed | meaning |\n|---|---|---|---|\n");
        for (Spec s : specs.values()) {
            b.append("| `").append(s.key()).append("` | ")
                    .append(s.defaultValue().isEmpty() ? "" : s.defaultValue().replace("|", "\\|"))
                    .append(" | ").append(s.range() == null ? "" : s.range().describe())
                    .append(" | ").append(s.description().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }
}
