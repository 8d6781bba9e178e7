package io.vigil.model.config;

import io.vigil.model.config.SettingSpecs.Range;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How a Vigil component authenticates to Kafka: in plain text (the embedded demo's broker, a private network), or
 * SASL/SCRAM over TLS with a user of its own, whose ACLs then decide what it may read and write. One record for
 * every Kafka client Vigil has — collectors, writers, the Flink jobs, the dashboard — so each takes the same keys.
 *
 * @param protocol          plain text or SASL over TLS
 * @param mechanism         the SASL mechanism, SCRAM-SHA-512 or SCRAM-SHA-256
 * @param username          the component's Kafka user
 * @param password          its password (better given as {@code VIGIL_KAFKA_PASSWORD} than in a file)
 * @param truststore        the certificates that sign the brokers' (PEM, PKCS12 or JKS); null: the JVM's own
 * @param truststorePassword the truststore's password (PKCS12 and JKS)
 */
public record KafkaSecurity(Protocol protocol, String mechanism, String username, String password,
                            String truststore, String truststorePassword) implements Serializable {

    public enum Protocol { PLAINTEXT, SASL_SSL }

    public static final KafkaSecurity PLAINTEXT = new KafkaSecurity(Protocol.PLAINTEXT, null, null, null, null, null);

    public KafkaSecurity {
        if (protocol == Protocol.SASL_SSL) {
            if (!"SCRAM-SHA-512".equals(mechanism) && !"SCRAM-SHA-256".equals(mechanism)) {
                throw new Settings.ConfigException("setting 'kafka.sasl-mechanism' = '" + mechanism
                        + "': expected SCRAM-SHA-512 or SCRAM-SHA-256");
            }
            if (blank(username) || blank(password)) {
                throw new Settings.ConfigException("kafka.security-protocol is sasl-ssl: set kafka.username and "
                        + "kafka.password (or VIGIL_KAFKA_USERNAME and VIGIL_KAFKA_PASSWORD)");
            }
            if (!blank(truststore) && !Files.isReadable(Path.of(truststore))) {
                throw new Settings.ConfigException("setting 'kafka.truststore' = '" + truststore
                        + "': no readable file there");
            }
        }
    }

    /** The keys: plain text by default, as the embedded broker of {@code ./vigil demo} listens. */
    public static SettingSpecs settings() {
        return new SettingSpecs()
                .add("kafka.security-protocol", "plaintext", Range.oneOf("plaintext", "sasl-ssl"),
                        "`plaintext`, or `sasl-ssl`: SASL/SCRAM over TLS as "
                        + "this component's own Kafka user, whose ACLs decide what it may read and write (see Kafka "
                        + "security)")
                .add("kafka.sasl-mechanism", "SCRAM-SHA-512", Range.oneOf("SCRAM-SHA-512", "SCRAM-SHA-256"),
                        "SCRAM-SHA-512 or SCRAM-SHA-256 (with `sasl-ssl`)")
                .add("kafka.username", "", "this component's Kafka user (with `sasl-ssl`)")
                .add("kafka.password", "", "its password (prefer `VIGIL_KAFKA_PASSWORD` to a file)")
                .add("kafka.truststore", "", "PEM, PKCS12 or JKS file of the certificates that sign the brokers'; "
                        + "empty: the JVM's trusted authorities")
                .add("kafka.truststore-password", "", "password of a PKCS12 or JKS truststore");
    }

    public static Map<String, String> defaults() {
        return settings().defaults();
    }

    /** One line per key, for the README's configuration table. */
    public static Map<String, String> descriptions() {
        return settings().descriptions();
    }

    public static KafkaSecurity from(Settings s) {
        String protocol = s.required("kafka.security-protocol").trim().toLowerCase(Locale.ROOT);
        return switch (protocol) {
            case "plaintext" -> PLAINTEXT;
            case "sasl-ssl", "sasl_ssl" -> new KafkaSecurity(Protocol.SASL_SSL, s.required("kafka.sasl-mechanism"),
                    s.optional("kafka.username"), s.optional("kafka.password"), s.optional("kafka.truststore"),
                    s.optional("kafka.truststore-password"));
            default -> throw new Settings.ConfigException("setting 'kafka.security-protocol' = '" + protocol
                    + "': expected plaintext or sasl-ssl");
        };
    }

    /** These keys' values in {@code s}, to hand on to another process. */
    public static Map<String, String> values(Settings s) {
        Map<String, String> v = new LinkedHashMap<>();
        for (String key : defaults().keySet()) v.put(key, s.string(key));
        return v;
    }

    /** The same from a name-value map (the dashboard's Spring properties), blank values unset. */
    public static KafkaSecurity of(String protocol, String mechanism, String username, String password,
                                   String truststore, String truststorePassword) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kafka.security-protocol", protocol);
        values.put("kafka.sasl-mechanism", mechanism);
        values.put("kafka.username", username);
        values.put("kafka.password", password);
        values.put("kafka.truststore", truststore);
        values.put("kafka.truststore-password", truststorePassword);
        values.values().removeIf(v -> v == null || v.isBlank());
        return from(Settings.load(settings(), null, Map.of(), values));
    }

    /** The settings to add to a Kafka producer's, consumer's or admin client's: none in plain text. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new LinkedHashMap<>();
        if (protocol == Protocol.PLAINTEXT) return p;
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", mechanism);
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + jaasEscape(username) + "\" password=\"" + jaasEscape(password) + "\";");
        if (!blank(truststore)) {
            p.put("ssl.truststore.location", truststore);
            p.put("ssl.truststore.type", storeType(truststore));
            if (!blank(truststorePassword)) p.put("ssl.truststore.password", truststorePassword);
        }
        return p;
    }

    /** The same as {@link java.util.Properties}, for the Flink connectors' builders. */
    public java.util.Properties asProperties() {
        java.util.Properties p = new java.util.Properties();
        p.putAll(clientProperties());
        return p;
    }

    public boolean secure() {
        return protocol == Protocol.SASL_SSL;
    }

    /** PEM for .pem and .crt, JKS for .jks, PKCS12 otherwise. */
    public static String storeType(String file) {
        String f = file.toLowerCase(Locale.ROOT);
        if (f.endsWith(".pem") || f.endsWith(".crt")) return "PEM";
        if (f.endsWith(".jks")) return "JKS";
        return "PKCS12";
    }

    private static String jaasEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** Never the password. */
    @Override
    public String toString() {
        return protocol == Protocol.PLAINTEXT ? "plaintext" : "sasl-ssl (" + mechanism + ", user " + username + ")";
    }
}
