package io.vigil.model.config;

import io.vigil.model.Topics;
import java.util.LinkedHashMap;
import java.util.Map;

/** Settings several components share, with their defaults, each defined once. */
public final class CommonSettings {

    private CommonSettings() {}

    /** {@code kafka.bootstrap}, {@code topics.prefix} and how to authenticate ({@link KafkaSecurity}). */
    public static Map<String, String> kafka() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kafka.bootstrap", "127.0.0.1:9092");
        d.put("topics.prefix", Topics.DEFAULT_PREFIX);
        d.putAll(KafkaSecurity.defaults());
        return d;
    }

    /** {@code db.url}, {@code db.user} and {@code db.password} (the embedded demo's database by default). */
    public static Map<String, String> database() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("db.url", "jdbc:postgresql://127.0.0.1:15432/vigil");
        d.put("db.user", "vigil");
        d.put("db.password", "vigil");
        return d;
    }

    public static Topics topics(Settings s) {
        return new Topics(s.string("topics.prefix"));
    }
}
