package io.vigil.model.config;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A component's settings, each key once, with its default and a one-line description: the one place both live.
 * The component's {@code defaults()} (what {@link Settings#load} checks keys against) and the README's configuration
 * table ({@code ReadmeSettingsTest} renders it from the launcher's merged catalog and compares) are derived from it.
 */
public final class SettingSpecs {

    /** One key: its default ("" for none) and what it means. */
    public record Spec(String key, String defaultValue, String description) {
        public Spec {
            if (key == null || !key.matches("[a-z0-9]+(\\.[a-z0-9-]+)+")) {
                throw new IllegalArgumentException("setting key '" + key + "' is not of the form group.name");
            }
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("setting '" + key + "' has no description");
            }
        }
    }

    private final Map<String, Spec> specs = new LinkedHashMap<>();

    /** Adds a key; a key added twice is a bug. */
    public SettingSpecs add(String key, String defaultValue, String description) {
        if (specs.containsKey(key)) throw new IllegalArgumentException("setting '" + key + "' defined twice");
        specs.put(key, new Spec(key, defaultValue, description));
        return this;
    }

    /** Adds every key of {@code other} not here yet (components share the Kafka and database keys). */
    public SettingSpecs addAll(SettingSpecs other) {
        other.specs.values().forEach(s -> specs.putIfAbsent(s.key(), s));
        return this;
    }

    /** Replaces a key's default and description where one component runs others (the launcher). */
    public SettingSpecs override(String key, String defaultValue, String description) {
        if (!specs.containsKey(key)) throw new IllegalArgumentException("no setting '" + key + "' to override");
        specs.put(key, new Spec(key, defaultValue, description));
        return this;
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

    /** The settings as a Markdown table: key, default, meaning, in the order they were added. */
    public String markdownTable() {
        StringBuilder b = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        for (Spec s : specs.values()) {
            b.append("| `").append(s.key()).append("` | ")
                    .append(s.defaultValue().isEmpty() ? "" : s.defaultValue().replace("|", "\\|"))
                    .append(" | ").append(s.description().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }
}
