package io.vigil.notify.delivery;

import java.util.Map;

/**
 * One HTTP POST to one receiver endpoint. {@code target} names the endpoint for the log (e.g.
 * {@code alertmanager[0]#1} for the second instance of an HA pair) without its URL, which may hold a secret. With a
 * {@code signingSecret}, every attempt is signed when it is sent ({@link io.vigil.model.WebhookSignature}), so a
 * retry after a long outage carries a fresh time.
 */
public record HttpCall(String target, String url, Map<String, String> headers, byte[] body, String signingSecret) {

    /** An unsigned call. */
    public HttpCall(String target, String url, Map<String, String> headers, byte[] body) {
        this(target, url, headers, body, null);
    }
}
