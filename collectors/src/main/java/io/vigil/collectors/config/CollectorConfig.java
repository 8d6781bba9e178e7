package io.vigil.collectors.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vigil.model.Topics;
import io.vigil.model.config.KafkaSecurity;
import io.vigil.model.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One collector instance's configuration, from a YAML file (see {@code collectors/examples/}) with environment
 * overrides for the shared keys ({@code VIGIL_KAFKA_BOOTSTRAP}, {@code VIGIL_TOPICS_PREFIX}). Unknown keys and
 * bad values are errors that name the key.
 */
public record CollectorConfig(Collector collector, Kafka kafka, Nvml nvml, List<DcgmTarget> dcgmExporters,
                              List<RedfishTarget> redfish) {

    /**
     * This host's GPUs through NVML. {@code library} defaults to the driver's {@code libnvidia-ml.so.1};
     * {@code host} defaults to this machine's host name. {@code jobIdVariables} and {@code rankVariables} name the
     * process environment variables that say a GPU process's job and rank (first found wins; defaults: SLURM_JOB_ID,
     * TORCHELASTIC_RUN_ID, VIGIL_JOB_ID and RANK, SLURM_PROCID).
     */
    public record Nvml(Boolean enabled, String library, String row, String rack, String host,
                       List<String> jobIdVariables, List<String> rankVariables) {
        public boolean on() {
            return enabled == null || enabled;
        }
    }

    /**
     * Identity and pace: {@code id} goes into every record's origin stamp. While Kafka is unreachable records wait
     * in {@code spoolDir} (default {@code .vigil/spool/<id>}), up to {@code spoolMaxMB} (default 1024).
     * {@code redfishMaxRequests} (default 2048) bounds the Redfish requests in flight across all targets.
     */
    public record Collector(String id, String cluster, String interval, Integer metricsPort, String spoolDir,
                            Integer spoolMaxMB, Integer redfishMaxRequests) {}

    /**
     * Where to publish. {@code securityProtocol: sasl-ssl} authenticates as {@code username} with SASL/SCRAM
     * ({@code saslMechanism}, default SCRAM-SHA-512) over TLS, the password read from the environment variable
     * named by {@code passwordEnv} (default {@code VIGIL_KAFKA_PASSWORD}), the brokers' certificates checked against
     * {@code truststore} (PEM, PKCS12 or JKS; password from {@code truststorePasswordEnv}) or the JVM's authorities.
     * The same {@code VIGIL_KAFKA_*} environment variables as every other component override each.
     */
    public record Kafka(String bootstrap, String topicPrefix, String securityProtocol, String saslMechanism,
                        String username, String passwordEnv, String truststore, String truststorePasswordEnv) {}

    /**
     * A dcgm-exporter endpoint and where its GPUs stand; {@code host} is used when the scrape has no
     * {@code Hostname} label.
     */
    public record DcgmTarget(String url, String row, String rack, String host, String timeout) {}

    /**
     * A Redfish service (server BMC, rack PDU, CDU). Credentials never stand in this file: the user name comes from
     * the environment variable named by {@code usernameEnv}, the password from the one named by {@code passwordEnv}
     * or from the file {@code passwordFile} (e.g. a mounted secret); {@code auth} is {@code none}, {@code basic} or
     * {@code session}. For HTTPS, {@code trustStore} (PKCS12/JKS, password from {@code trustStorePasswordEnv})
     * holds the BMC's certificates; {@code insecureTls: true} accepts any certificate and is off by default.
     * {@code timeout} (default 5 s) bounds one request, {@code deadline} (default the larger of the interval and
     * twice the timeout) the whole scrape of the service, bodies included; {@code maxConcurrentRequests}
     * (default 4) bounds the requests in flight to this one BMC.
     */
    public record RedfishTarget(String url, String row, String rack, String host, String timeout, String auth,
                                String usernameEnv, String passwordEnv, String passwordFile, String trustStore,
                                String trustStorePasswordEnv, Boolean insecureTls, String deadline,
                                Integer maxConcurrentRequests) {}

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static CollectorConfig load(Path file, Map<String, String> env) {
        CollectorConfig raw;
        try {
            raw = YAML.readValue(Files.readString(file), CollectorConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new Settings.ConfigException(file + ": unknown key '" + path(e) + "'; known here: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (JsonMappingException e) {
            throw new Settings.ConfigException(file + ": bad value at '" + path(e) + "': " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new Settings.ConfigException("cannot read collector config " + file + ": " + e.getMessage());
        }
        if (raw == null) {
            throw new Settings.ConfigException(file + " is empty");
        }
        Kafka kafka = raw.kafka() == null
                ? new Kafka(null, null, null, null, null, null, null, null) : raw.kafka();
        kafka = new Kafka(env.getOrDefault(Settings.envName("kafka.bootstrap"), kafka.bootstrap()),
                env.getOrDefault(Settings.envName("topics.prefix"), kafka.topicPrefix()),
                env.getOrDefault(Settings.envName("kafka.security-protocol"), kafka.securityProtocol()),
                env.getOrDefault(Settings.envName("kafka.sasl-mechanism"), kafka.saslMechanism()),
                env.getOrDefault(Settings.envName("kafka.username"), kafka.username()), kafka.passwordEnv(),
                env.getOrDefault(Settings.envName("kafka.truststore"), kafka.truststore()),
                kafka.truststorePasswordEnv());
        CollectorConfig c = new CollectorConfig(raw.collector(), kafka, raw.nvml(),
                raw.dcgmExporters() == null ? List.of() : raw.dcgmExporters(),
                raw.redfish() == null ? List.of() : raw.redfish());
        c.validate(file, env);
        return c;
    }

    private void validate(Path file, Map<String, String> env) {
        if (collector == null || collector.id() == null || collector.id().isBlank()) {
            throw new Settings.ConfigException(file + ": 'collector.id' is required");
        }
        if (collector.cluster() == null || collector.cluster().isBlank()) {
            throw new Settings.ConfigException(file + ": 'collector.cluster' is required");
        }
        interval();
        redfishMaxRequests();
        topics();
        kafkaSecurity(env);
        spoolMaxBytes();
        if (dcgmExporters.isEmpty() && redfish.isEmpty() && (nvml == null || !nvml.on())) {
            throw new Settings.ConfigException(file + ": no sources: add 'nvml', or entries under 'dcgmExporters' or 'redfish'");
        }
        for (int i = 0; i < redfish.size(); i++) {
            RedfishTarget t = redfish.get(i);
            String where = file + ": 'redfish[" + i + "]";
            if (t.url() == null || !(t.url().startsWith("http://") || t.url().startsWith("https://"))) {
                throw new Settings.ConfigException(where + ".url' must be an http(s) URL, was " + t.url());
            }
            duration("redfish[].timeout", t.timeout(), Duration.ofSeconds(5));
            deadline(t);
            if (t.maxConcurrentRequests() != null && (t.maxConcurrentRequests() < 1 || t.maxConcurrentRequests() > 64)) {
                throw new Settings.ConfigException(where + ".maxConcurrentRequests' must be 1..64, was "
                        + t.maxConcurrentRequests());
            }
            if (t.trustStore() != null && !Files.isRegularFile(Path.of(t.trustStore()))) {
                throw new Settings.ConfigException(where + ".trustStore' " + t.trustStore() + " is not a file");
            }
            if (t.trustStore() != null && Boolean.TRUE.equals(t.insecureTls())) {
                throw new Settings.ConfigException(where + "': trustStore and insecureTls exclude each other");
            }
            String mode = t.auth() == null ? "none" : t.auth();
            if (!List.of("none", "basic", "session").contains(mode)) {
                throw new Settings.ConfigException(where + ".auth' must be none, basic or session, was " + mode);
            }
            if (!mode.equals("none")) {
                if (t.usernameEnv() == null || env.get(t.usernameEnv()) == null) {
                    throw new Settings.ConfigException(where + "': auth " + mode + " needs usernameEnv naming a set"
                            + " environment variable" + (t.usernameEnv() == null ? "" : " (" + t.usernameEnv() + " is not set)"));
                }
                if (t.passwordFile() != null) {
                    if (!Files.isReadable(Path.of(t.passwordFile()))) {
                        throw new Settings.ConfigException(where + ".passwordFile' " + t.passwordFile() + " is not readable");
                    }
                } else if (t.passwordEnv() == null || env.get(t.passwordEnv()) == null) {
                    throw new Settings.ConfigException(where + "': auth " + mode + " needs passwordEnv naming a set"
                            + " environment variable, or passwordFile" + (t.passwordEnv() == null ? "" : " ("
                            + t.passwordEnv() + " is not set)"));
                }
            }
        }
        for (int i = 0; i < dcgmExporters.size(); i++) {
            DcgmTarget t = dcgmExporters.get(i);
            String where = file + ": 'dcgmExporters[" + i + "]";
            if (t.url() == null || !(t.url().startsWith("http://") || t.url().startsWith("https://"))) {
                throw new Settings.ConfigException(where + ".url' must be an http(s) URL, was " + t.url());
            }
            URI.create(t.url());
            timeout(t);
        }
    }

    public Duration interval() {
        return duration("collector.interval", collector.interval(), Duration.ofSeconds(1));
    }

    public Duration timeout(DcgmTarget t) {
        return duration("dcgmExporters[].timeout", t.timeout(), Duration.ofSeconds(2));
    }

    /** The target's password, from its environment variable or its file (trailing newline removed). */
    public static String password(RedfishTarget t, Map<String, String> env) {
        if (t.passwordFile() != null) {
            try {
                return Files.readString(Path.of(t.passwordFile())).strip();
            } catch (IOException e) {
                throw new Settings.ConfigException("cannot read passwordFile " + t.passwordFile() + ": " + e.getMessage());
            }
        }
        return t.passwordEnv() == null ? null : env.get(t.passwordEnv());
    }

    public Duration timeout(RedfishTarget t) {
        return duration("redfish[].timeout", t.timeout(), Duration.ofSeconds(5));
    }

    /** How long one scrape of the service may take, connect, headers and bodies included. */
    public Duration deadline(RedfishTarget t) {
        Duration otherwise = interval().compareTo(timeout(t).multipliedBy(2)) > 0 ? interval() : timeout(t).multipliedBy(2);
        return duration("redfish[].deadline", t.deadline(), otherwise);
    }

    public int maxConcurrentRequests(RedfishTarget t) {
        return t.maxConcurrentRequests() == null ? 4 : t.maxConcurrentRequests();
    }

    public int redfishMaxRequests() {
        Integer n = collector.redfishMaxRequests();
        if (n != null && n < 1) {
            throw new Settings.ConfigException("'collector.redfishMaxRequests' must be at least 1, was " + n);
        }
        return n == null ? 2048 : n;
    }

    public Topics topics() {
        return new Topics(kafka.topicPrefix() == null ? Topics.DEFAULT_PREFIX : kafka.topicPrefix());
    }

    public String bootstrap() {
        return kafka.bootstrap() == null ? "127.0.0.1:9092" : kafka.bootstrap();
    }

    /** How to authenticate to Kafka; the passwords come from the environment. */
    public KafkaSecurity kafkaSecurity(Map<String, String> env) {
        String passwordEnv = kafka.passwordEnv() != null ? kafka.passwordEnv() : Settings.envName("kafka.password");
        String truststorePasswordEnv = kafka.truststorePasswordEnv() != null ? kafka.truststorePasswordEnv()
                : Settings.envName("kafka.truststore-password");
        try {
            return KafkaSecurity.of(kafka.securityProtocol(), kafka.saslMechanism(), kafka.username(),
                    env.get(passwordEnv), kafka.truststore(), env.get(truststorePasswordEnv));
        } catch (Settings.ConfigException e) {
            throw new Settings.ConfigException("'kafka' section: " + e.getMessage()
                    .replace("kafka.password (or VIGIL_KAFKA_USERNAME and VIGIL_KAFKA_PASSWORD)",
                            "the password in the environment variable " + passwordEnv));
        }
    }

    public Path spoolDir() {
        return Path.of(collector.spoolDir() != null ? collector.spoolDir() : ".vigil/spool/" + collector.id());
    }

    public long spoolMaxBytes() {
        int mb = collector.spoolMaxMB() == null ? 1024 : collector.spoolMaxMB();
        if (mb < 1) throw new Settings.ConfigException("'collector.spoolMaxMB' must be at least 1, was " + mb);
        return mb * 1024L * 1024L;
    }

    public int metricsPort() {
        return collector.metricsPort() == null ? 9464 : collector.metricsPort();
    }

    private static Duration duration(String key, String value, Duration otherwise) {
        if (value == null) {
            return otherwise;
        }
        Settings s = Settings.load(Map.of(key, value), null, Map.of(), Map.of());
        Duration d = s.duration(key);
        if (d.isZero() || d.isNegative()) {
            throw new Settings.ConfigException("'" + key + "' must be positive, was " + value);
        }
        return d;
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
