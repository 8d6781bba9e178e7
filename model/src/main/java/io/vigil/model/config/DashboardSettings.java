package io.vigil.model.config;

import io.vigil.model.config.SettingSpecs.Range;
import java.time.Duration;

/**
 * The console's own settings, defined once: their keys, defaults, ranges and descriptions are here, in the
 * platform's catalog (README "Configuration"), and the dashboard process loads them from here into Spring (each
 * key as the Spring property {@link #springProperty}, validated, from {@code VIGIL_<KEY>} or a command-line
 * {@code --<spring property>=}). The users file and the built-in admin's password are the launcher's
 * ({@code dashboard.users-file}, {@code dashboard.admin-password}), which it passes on.
 */
public final class DashboardSettings {

    private DashboardSettings() {}

    public static SettingSpecs settings() {
        return new SettingSpecs()
                .add("dashboard.refresh-interval", "1s", Range.duration(Duration.ofMillis(100), Duration.ofMinutes(1)),
                        "how often the console's shared refresher reads the live state for every open view")
                .add("dashboard.session-timeout", "30m", Range.duration(Duration.ofMinutes(1), Duration.ofDays(7)),
                        "a signed-in session idle this long is signed out")
                .add("dashboard.login.free-attempts", "5", Range.integer(1, 1000),
                        "failed password sign-ins for one name before a lockout")
                .add("dashboard.login.lockout", "30s", Range.duration(Duration.ofSeconds(1), Duration.ofHours(1)),
                        "the first lockout; it doubles with each further failure")
                .add("dashboard.login.max-lockout", "15m", Range.duration(Duration.ofSeconds(1), Duration.ofDays(1)),
                        "the longest lockout")
                .add("dashboard.oidc.roles-claim", "groups",
                        "single sign-on: the ID token's claim whose values are matched against the role groups")
                .add("dashboard.oidc.admin-groups", "vigil-admin",
                        "single sign-on: groups (comma-separated) whose members are admins")
                .add("dashboard.oidc.operator-groups", "vigil-operator",
                        "single sign-on: groups whose members are operators")
                .add("dashboard.oidc.viewer-groups", "vigil-viewer",
                        "single sign-on: groups whose members are viewers")
                .add("dashboard.metrics-address", "",
                        "`HOST:PORT` of the console's Prometheus `/metrics`, apart from its signed-in port "
                        + "(`./vigil demo` sets it from `metrics.dashboard-port`); unset: none")
                .add("history.statement-timeout", "10s", Range.duration(Duration.ofMillis(100), Duration.ofMinutes(10)),
                        "a history API query running longer is cancelled and answered 503");
    }

    /** The Spring property the dashboard reads a key as: {@code vigil.<key>}, the session timeout Spring's own. */
    public static String springProperty(String key) {
        return key.equals("dashboard.session-timeout") ? "server.servlet.session.timeout" : "vigil." + key;
    }
}
