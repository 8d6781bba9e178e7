package io.vigil.model;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of Vigil's webhooks, {@code X-Vigil-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>." followed by the body>}: made by the notification job when it sends (each retry signs anew), checked by
 * receivers (the dashboard's inbox among them) against a freshness window, so a captured request cannot be replayed
 * later. Defined once, here.
 */
public final class WebhookSignature {

    public static final String HEADER = "X-Vigil-Signature";
    /** How far a signature's time may be from the receiver's clock, either way, by default. */
    public static final long DEFAULT_TOLERANCE_SECONDS = 300;

    /** What a receiver found. */
    public enum Check {
        VALID("valid"),
        MISSING("no X-Vigil-Signature header"),
        MALFORMED("X-Vigil-Signature is not t=<unix seconds>,v1=<hex>"),
        STALE("the signature's time is outside the freshness window"),
        MISMATCH("the signature does not match the body");

        private final String meaning;

        Check(String meaning) {
            this.meaning = meaning;
        }

        public String meaning() {
            return meaning;
        }
    }

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

    /** The header value for {@code body} signed at {@code epochSeconds}. */
    public static String of(String secret, byte[] body, long epochSeconds) {
        return "t=" + epochSeconds + ",v1=" + hmacSha256(secret, signed(epochSeconds, body));
    }

    /**
     * Checks {@code header} for {@code body}: well formed, within {@code toleranceSeconds} of {@code nowEpochSeconds},
     * and the HMAC of its time and the body, compared in constant time.
     */
    public static Check check(String secret, byte[] body, String header, long nowEpochSeconds, long toleranceSeconds) {
        if (header == null || header.isBlank()) return Check.MISSING;
        Long t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            String p = part.trim();
            if (p.startsWith("t=")) {
                try {
                    t = Long.parseLong(p.substring(2));
                } catch (NumberFormatException e) {
                    return Check.MALFORMED;
                }
            } else if (p.startsWith("v1=")) {
                v1 = p.substring(3);
            }
        }
        if (t == null || v1 == null || v1.isEmpty()) return Check.MALFORMED;
        if (Math.abs(nowEpochSeconds - t) > toleranceSeconds) return Check.STALE;
        byte[] expected = hmacSha256(secret, signed(t, body)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII)) ? Check.VALID : Check.MISMATCH;
    }

    private static byte[] signed(long epochSeconds, byte[] body) {
        byte[] prefix = (epochSeconds + ".").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(body, 0, all, prefix.length, body.length);
        return all;
    }
}
