package io.vigil.notify.routing;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a secret (a PagerDuty routing key, a Slack webhook URL, an HMAC key) comes from: written in the routing file,
 * read from a file ({@code *_file}) or from an environment variable ({@code *_env}). It is resolved where it is used,
 * on the machine that sends, so the secret never travels in the job graph; {@link #toString} never shows it.
 */
public record SecretRef(String inline, String file, String env) implements Serializable {

    public static SecretRef none() {
        return new SecretRef(null, null, null);
    }

    public boolean isSet() {
        return inline != null || file != null || env != null;
    }

    /** The secret, or null when none is configured; throws when the file or variable is missing. */
    public String resolve(Map<String, String> environment) {
        if (inline != null) return inline;
        if (file != null) {
            try {
                return Files.readString(Path.of(file)).trim();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read secret file " + file + ": " + e.getMessage());
            }
        }
        if (env != null) {
            String v = environment.get(env);
            if (v == null || v.isBlank()) throw new IllegalStateException("environment variable " + env + " is not set");
            return v.trim();
        }
        return null;
    }

    @Override
    public String toString() {
        if (file != null) return "file " + file;
        if (env != null) return "environment " + env;
        return inline == null ? "none" : "(inline, hidden)";
    }
}
