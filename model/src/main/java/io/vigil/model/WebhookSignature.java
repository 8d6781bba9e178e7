package io.vigil.model;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of Vigil's webhooks, {@code X-Vigil-Signature: sha256=<hex HMAC-SHA256 of the body>}: made by the
 * notification job, checked by receivers (the dashboard's inbox among them). Defined once, here.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-Vigil-Signature";

    private WebhookSignature() {}

    /** The hex HMAC-SHA256 of {@code body} under {@code secret}. */
    public static String hmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }

    /** The header value for {@code body}. */
    public static String of(String secret, byte[] body) {
        return "sha256=" + hmacSha256(secret, body);
    }

    /** Whether {@code header} is the signature of {@code body}, compared in constant time. */
    public static boolean matches(String secret, byte[] body, String header) {
        return header != null && MessageDigest.isEqual(of(secret, body).getBytes(StandardCharsets.US_ASCII),
                header.getBytes(StandardCharsets.US_ASCII));
    }
}
