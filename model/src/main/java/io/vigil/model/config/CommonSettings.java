package io.vigil.model.config;

import io.vigil.model.Topics;
import java.util.Map;

/** Settings several components share, with their defaults, each defined once. */
public final class CommonSettings {

    private CommonSettings() {}

    /** {@code kafka.bootstrap}, {@code topics.prefix} and how to authenticate ({@link KafkaSecurity}). */
    public static SettingSpecs kafkaSettings() {
        return new SettingSpecs()
                .add("kafka.bootstrap", "127.0.0.1:9092", "Kafka bootstrap servers (`--kafka`)")
                .add("topics.prefix", Topics.DEFAULT_PREFIX, "prefix of every topic name")
                .addAll(KafkaSecurity.settings());
    }

    public static Map<String, String> kafka() {
        return kafkaSettings().defaults();
    }

    /** {@code db.url}, {@code db.user} and {@code db.password} (the embedded demo's database by default). */
    public static SettingSpecs databaseSettings() {
        return new SettingSpecs()
                .add("db.url", "jdbc:postgresql://127.0.0.1:15432/vigil",
                        "JDBC URL of PostgreSQL/TimescaleDB (`--db-url`)")
                .add("db.user", "vigil", "database user")
                .add("db.password", "vigil", "database password (prefer `VIGIL_DB_PASSWORD` to a file)");
    }

    public static Map<String, String> database() {
        return databaseSettings().defaults();
    }

    public static Topics topics(Settings s) {
        return new Topics(s.string("topics.prefix"));
    }
}
