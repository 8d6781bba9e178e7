package io.vigil.model.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Configuration values for one component, layered: built-in defaults, then a properties file, then environment
 * variables ({@code kafka.bootstrap} is overridden by {@code VIGIL_KAFKA_BOOTSTRAP}), then explicit overrides such
 * as command-line flags. Only declared keys are accepted: an unknown key in a file or in the overrides is an error
 * that names it, and a value that does not parse names its key too. Components read their settings here once and
 * build their immutable config record from them; nothing else reads the environment.
 */
public final class Settings {

    private final Map<String, String> defaults;
    private final Map<String, String> values;
    private final Map<String, String> origins;
    /** The catalog the keys came from, with their ranges; null when loaded from a plain map of defaults. */
    private final SettingSpecs specs;

    private Settings(Map<String, String> defaults, Map<String, String> values, Map<String, String> origins,
                     SettingSpecs specs) {
        this.defaults = defaults;
        this.values = values;
        this.origins = origins;
        this.specs = specs;
    }

    /**
     * Loads as {@link #load(Map, Path, Map, Map)} with {@code specs}' defaults, then checks every value that is set
     * against its range in {@code specs}: a value out of range is refused here, naming the key, where the value came
     * from and what is allowed, before anything starts.
     */
    public static Settings load(SettingSpecs specs, Path file, Map<String, String> env,
                                Map<String, String> overrides) {
        Settings plain = load(specs.defaults(), file, env, overrides);
        for (SettingSpecs.Spec spec : specs.all()) {
            String v = plain.values.get(spec.key());
            if (spec.range() == null || v == null || v.isBlank()) continue;
            String problem = spec.range().problem(v);
            if (problem != null) throw new ConfigException(plain.describe(spec.key(), v) + " " + problem);
        }
        return new Settings(plain.defaults, plain.values, plain.origins, specs);
    }

    /**
     * @param defaults  every known key with its default ("" for no default)
     * @param file      properties file, or null
     * @param env       the environment (pass {@code System.getenv()} from main, a map in tests)
     * @param overrides highest-priority values, e.g. from flags
     */
    public static Settings load(Map<String, String> defaults, Path file, Map<String, String> env,
                                Map<String, String> overrides) {
        Map<String, String> values = new LinkedHashMap<>(defaults);
        Map<String, String> origins = new LinkedHashMap<>();
        defaults.keySet().forEach(k -> origins.put(k, "default"));
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (IOException e) {
                throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
            }
            for (String key : p.stringPropertyNames()) {
                requireKnown(defaults, key, "in " + file);
                values.put(key, p.getProperty(key).trim());
                origins.put(key, file.toString());
            }
        }
        for (String key : defaults.keySet()) {
            String v = env.get(envName(key));
            if (v != null) {
                values.put(key, v.trim());
                origins.put(key, "environment " + envName(key));
            }
        }
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            requireKnown(defaults, e.getKey(), "given");
            values.put(e.getKey(), e.getValue());
            origins.put(e.getKey(), "command line");
        }
        return new Settings(defaults, Collections.unmodifiableMap(values), origins, null);
    }

    /** {@code kafka.bootstrap} → {@code VIGIL_KAFKA_BOOTSTRAP}. */
    public static String envName(String key) {
        return "VIGIL_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void requireKnown(Map<String, String> defaults, String key, String where) {
        if (!defaults.containsKey(key)) {
            throw new ConfigException("unknown setting '" + key + "' " + where + "; known settings: "
                    + String.join(", ", new TreeMap<>(defaults).keySet()));
        }
    }

    public String string(String key) {
        requireKnown(defaults, key, "requested");
        return values.get(key);
    }

    /** The value, or null when it is empty. */
    public String optional(String key) {
        String v = string(key);
        return v == null || v.isBlank() ? null : v;
    }

    public String required(String key) {
        String v = optional(key);
        if (v == null) {
            throw new ConfigException("setting '" + key + "' is required (set it in the config file or as "
                    + envName(key) + ")");
        }
        return v;
    }

    /** A whole number within its range in the catalog these settings were loaded from. */
    public int integer(String key) {
        SettingSpecs.Range r = range(key, SettingSpecs.Range.Kind.INTEGER);
        return integer(key, (int) Math.max(Integer.MIN_VALUE, r.min()), (int) Math.min(Integer.MAX_VALUE, r.max()));
    }

    /** A number within its range in the catalog these settings were loaded from. */
    public double decimal(String key) {
        SettingSpecs.Range r = range(key, SettingSpecs.Range.Kind.DECIMAL);
        return decimal(key, r.min(), r.max());
    }

    private SettingSpecs.Range range(String key, SettingSpecs.Range.Kind kind) {
        requireKnown(defaults, key, "requested");
        SettingSpecs.Range r = specs == null ? null : specs.range(key);
        if (r == null || r.kind() != kind) {
            throw new IllegalStateException("setting '" + key + "' has no " + kind + " range in the catalog these "
                    + "settings were loaded from");
        }
        return r;
    }

    /** A whole number from {@code min} to {@code max}: for bounds that depend on another setting. */
    public int integer(String key, int min, int max) {
        String v = string(key);
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new ConfigException(describe(key, v) + " must be between " + min + " and " + max);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new ConfigException(describe(key, v) + " is not a whole number");
        }
    }

    public double decimal(String key, double min, double max) {
        String v = string(key);
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d >= min && d <= max)) {
                throw new ConfigException(describe(key, v) + " must be between " + min + " and " + max);
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ConfigException(describe(key, v) + " is not a number");
        }
    }

    public boolean bool(String key) {
        String v = string(key).trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off", "" -> false;
            default -> throw new ConfigException(describe(key, v) + " is not true or false");
        };
    }

    /** A duration as {@link #parseDuration} reads it. */
    public Duration duration(String key) {
        String v = string(key).trim();
        try {
            return parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(describe(key, v) + " " + e.getMessage());
        }
    }

    /**
     * A duration as Vigil writes them everywhere (settings, the routing file, the HTTP API): {@code 500ms},
     * {@code 10s}, {@code 5m}, {@code 1h}, {@code 14d}, or ISO-8601 ({@code PT10S}, {@code P14D}); never negative.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Duration parseDuration(String text) {
        String v = text == null ? "" : text.trim();
        try {
            Duration d;
            if (v.startsWith("P") || v.startsWith("p")) {
                d = Duration.parse(v);
            } else if (v.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                d = switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    case 'd' -> Duration.ofDays(n);
                    default -> throw new IllegalArgumentException("needs a unit: ms, s, m, h or d");
                };
            }
            if (d.isNegative()) throw new IllegalArgumentException("must not be negative");
            return d;
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("is not a duration such as 500ms, 10s, 5m, 4h or 14d");
        }
    }

    /** Where a key's value came from ("default", a file, an environment variable, "command line"). */
    public String origin(String key) {
        return origins.get(key);
    }

    private String describe(String key, String value) {
        return "setting '" + key + "' = '" + value + "' (from " + origins.get(key) + ")";
    }

    /** A configuration problem, reported to the user as one line without a stack trace. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
