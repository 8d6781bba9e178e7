package io.vigil.notify.routing;

import java.io.Serializable;
import java.util.List;

/**
 * One way a named receiver is reached. A receiver may have several (a Slack channel and a PagerDuty service); each
 * is its own delivery target, with its own queue and retries.
 */
public sealed interface ReceiverSpec extends Serializable {

    /** The receiver's name in the routing file. */
    String receiver();

    /** Which of the receiver's configurations this is, e.g. {@code slack[0]}; never a URL. */
    String target();

    /** {@code alertmanager}, {@code pagerduty}, {@code slack} or {@code webhook}. */
    String type();

    /**
     * Alertmanager's API v2: each URL (an HA pair lists two or three) receives every alert, as Prometheus sends them.
     *
     * @param urls   base URLs, e.g. {@code http://am-1:9093}
     * @param resend how often a firing incident is sent again, well within Alertmanager's {@code resolve_timeout}
     */
    record Alertmanager(String receiver, String target, List<String> urls, java.time.Duration resend, HttpConfig http)
            implements ReceiverSpec {
        /** Without authentication, trusting the JVM's CAs. */
        public Alertmanager(String receiver, String target, List<String> urls, java.time.Duration resend) {
            this(receiver, target, urls, resend, HttpConfig.none());
        }

        public String type() { return "alertmanager"; }
    }

    /** PagerDuty's Events API v2 ({@code url} defaults to PagerDuty's; a test points it elsewhere). */
    record PagerDuty(String receiver, String target, SecretRef routingKey, String url) implements ReceiverSpec {
        public String type() { return "pagerduty"; }
    }

    /** A Slack incoming webhook; its URL is the secret. */
    record Slack(String receiver, String target, SecretRef webhookUrl, String channel) implements ReceiverSpec {
        public String type() { return "slack"; }
    }

    /** A plain webhook taking Alertmanager's webhook payload (version 4), signed when a secret is set. */
    record Webhook(String receiver, String target, String url, SecretRef secret, HttpConfig http)
            implements ReceiverSpec {
        /** Without authentication, trusting the JVM's CAs. */
        public Webhook(String receiver, String target, String url, SecretRef secret) {
            this(receiver, target, url, secret, HttpConfig.none());
        }

        public String type() { return "webhook"; }
    }

    /**
     * How an Alertmanager or a webhook is reached, as Alertmanager's own {@code http_config} says it: authentication by
     * {@code basic_auth} (a user and a password) or {@code authorization} (a scheme, Bearer by default, and
     * credentials), and {@code tls_config.ca_file}, the CA certificates (PEM) its HTTPS certificate is checked against
     * instead of the JVM's. The secrets are resolved, and the CA file read, on the sending machine.
     */
    record HttpConfig(String username, SecretRef password, String scheme, SecretRef credentials, String caFile)
            implements Serializable {
        public static HttpConfig none() {
            return new HttpConfig(null, SecretRef.none(), null, SecretRef.none(), null);
        }

        /** The {@code Authorization} header's value, or null without authentication. */
        public String header(java.util.Map<String, String> environment) {
            if (username != null) {
                String pass = password.resolve(environment);
                return "Basic " + java.util.Base64.getEncoder().encodeToString((username + ":" + (pass == null ? "" : pass))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (credentials.isSet()) return (scheme == null ? "Bearer" : scheme) + " " + credentials.resolve(environment);
            return null;
        }
    }
}
