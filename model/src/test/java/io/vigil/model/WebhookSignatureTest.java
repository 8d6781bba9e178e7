package io.vigil.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.vigil.model.WebhookSignature.Check;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

    static final long NOW = 1_790_000_000L;
    static final byte[] BODY = "{\"version\":\"4\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void signsTheTimeAndTheBodyAsHmacSha256() {
        // RFC 4231-style check against a known value: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
        assertThat(WebhookSignature.hmacSha256("key",
                "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
        String header = WebhookSignature.of("s3cret", BODY, NOW);
        assertThat(header).isEqualTo("t=" + NOW + ",v1="
                + WebhookSignature.hmacSha256("s3cret", (NOW + ".{\"version\":\"4\"}").getBytes(StandardCharsets.UTF_8)));
        assertThat(WebhookSignature.check("s3cret", BODY, header, NOW + 10, 300)).isEqualTo(Check.VALID);
    }

    @Test
    void refusesAnyOtherSecretBodyTimeOrForm() {
        String header = WebhookSignature.of("s3cret", BODY, NOW);
        assertThat(WebhookSignature.check("other", BODY, header, NOW, 300)).isEqualTo(Check.MISMATCH);
        assertThat(WebhookSignature.check("s3cret", "{}".getBytes(StandardCharsets.UTF_8), header, NOW, 300))
                .isEqualTo(Check.MISMATCH);
        assertThat(WebhookSignature.check("s3cret", BODY, null, NOW, 300)).isEqualTo(Check.MISSING);
        assertThat(WebhookSignature.check("s3cret", BODY, "sha256=" + WebhookSignature.hmacSha256("s3cret", BODY), NOW,
                300)).as("the old form, without a time").isEqualTo(Check.MALFORMED);
        assertThat(WebhookSignature.check("s3cret", BODY, "t=soon,v1=ab", NOW, 300)).isEqualTo(Check.MALFORMED);
        // A replay: the same request, a quarter of an hour later; or a signature made for the future.
        assertThat(WebhookSignature.check("s3cret", BODY, header, NOW + 900, 300)).isEqualTo(Check.STALE);
        assertThat(WebhookSignature.check("s3cret", BODY, header, NOW - 900, 300)).isEqualTo(Check.STALE);
        // The time is signed: moving it to a fresh one breaks the signature.
        String moved = header.replace("t=" + NOW, "t=" + (NOW + 900));
        assertThat(WebhookSignature.check("s3cret", BODY, moved, NOW + 900, 300)).isEqualTo(Check.MISMATCH);
    }
}
