package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    @Test
    void signsAsHmacSha256AndChecksOnlyTheRightSignature() {
        byte[] body = "{\"version\":\"4\"}".getBytes(StandardCharsets.UTF_8);
        // RFC 4231-style check against a known value: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assertThat(WebhookSignature.hmacSha256("key",
                "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        String header = WebhookSignature.of("s3cret", body);
        assertThat(header).startsWith("sha256=");
        assertThat(WebhookSignature.matches("s3cret", body, header)).isTrue();
        assertThat(WebhookSignature.matches("other", body, header)).isFalse();
        assertThat(WebhookSignature.matches("s3cret", "{}".getBytes(StandardCharsets.UTF_8), header)).isFalse();
        assertThat(WebhookSignature.matches("s3cret", body, null)).isFalse();
    }
}
