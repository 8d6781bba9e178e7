package io.vigil.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaSecurityTest {

    static Settings settings(Map<String, String> values, Map<String, String> env) {
        return Settings.load(KafkaSecurity.settings(), null, env, values);
    }

    @Test
    void plainTextByDefaultAddsNoClientSettings() {
        KafkaSecurity s = KafkaSecurity.from(settings(Map.of(), Map.of()));
        assertThat(s).isSameAs(KafkaSecurity.PLAINTEXT);
        assertThat(s.clientProperties()).isEmpty();
        assertThat(s.secure()).isFalse();
    }

    @Test
    void saslSslGivesScramOverTlsWithTheTruststoreAndThePasswordFromTheEnvironment(@TempDir Path dir)
            throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        KafkaSecurity s = KafkaSecurity.from(settings(Map.of("kafka.security-protocol", "sasl-ssl",
                "kafka.username", "vigil-writer", "kafka.truststore", ca.toString()),
                Map.of("VIGIL_KAFKA_PASSWORD", "pa\"ss")));
        assertThat(s.clientProperties())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule "
                        + "required username=\"vigil-writer\" password=\"pa\\\"ss\";")
                .containsEntry("ssl.truststore.location", ca.toString())
                .containsEntry("ssl.truststore.type", "PEM")
                .doesNotContainKey("ssl.truststore.password");
        assertThat(s.toString()).contains("vigil-writer").doesNotContain("pa\"ss");
    }

    @Test
    void badSettingsAreRefusedWithTheKeyToFix() {
        assertThatThrownBy(() -> KafkaSecurity.from(settings(Map.of("kafka.security-protocol", "tls"), Map.of())))
                .hasMessageContaining("kafka.security-protocol").hasMessageContaining("one of plaintext, sasl-ssl");
        assertThatThrownBy(() -> KafkaSecurity.from(settings(Map.of("kafka.security-protocol", "sasl-ssl"),
                Map.of()))).hasMessageContaining("kafka.username").hasMessageContaining("VIGIL_KAFKA_PASSWORD");
        assertThatThrownBy(() -> KafkaSecurity.from(settings(Map.of("kafka.security-protocol", "sasl-ssl",
                "kafka.username", "u", "kafka.password", "p", "kafka.sasl-mechanism", "PLAIN"), Map.of())))
                .hasMessageContaining("kafka.sasl-mechanism");
        assertThatThrownBy(() -> KafkaSecurity.from(settings(Map.of("kafka.security-protocol", "sasl-ssl",
                "kafka.username", "u", "kafka.password", "p", "kafka.truststore", "/nowhere/ca.pem"), Map.of())))
                .hasMessageContaining("kafka.truststore").hasMessageContaining("/nowhere/ca.pem");
    }

    @Test
    void theTruststoreTypeFollowsTheFileName() {
        assertThat(KafkaSecurity.storeType("ca.crt")).isEqualTo("PEM");
        assertThat(KafkaSecurity.storeType("trust.jks")).isEqualTo("JKS");
        assertThat(KafkaSecurity.storeType("trust.p12")).isEqualTo("PKCS12");
    }

    @Test
    void everyKeyIsDescribed() {
        assertThat(KafkaSecurity.descriptions().keySet()).isEqualTo(KafkaSecurity.defaults().keySet());
        assertThat(CommonSettings.kafka()).containsAllEntriesOf(KafkaSecurity.defaults());
    }
}
