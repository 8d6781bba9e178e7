package io.vigil.dashboard.security;

import java.util.List;
import org.springframework.http.HttpMethod;

/**
 * The access rule of every HTTP endpoint, in one table; anything not listed is refused ({@code denyAll}).
 * {@code ApiAccessRulesTest} fails when a controller gains an endpoint that no rule covers.
 */
public final class ApiAccessRules {

    /** Who may call: anyone ({@code null} role) or holders of {@code role} (and roles above it). */
    public record Rule(HttpMethod method, String pattern, Role role, String why) {
        public boolean isPublic() {
            return role == null;
        }
    }

    public static final List<Rule> RULES = List.of(
            pub(HttpMethod.GET, "/actuator/health", "liveness for the launcher, compose and Kubernetes probes"),
            pub(HttpMethod.GET, "/actuator/health/**", "liveness and readiness groups"),
            pub(HttpMethod.GET, "/actuator/info", "version"),
            // The notification job's webhooks to the demo inbox: no user, but the endpoint takes only bodies signed
            // with vigil.inbox-secret within the freshness window (and nothing without a secret), its own rule.
            pub(HttpMethod.POST, "/api/v1/inbox", "signed webhooks from the notification job"),
            rule(HttpMethod.GET, "/api/v1/me", Role.VIEWER, "who the caller is and what role it has"),
            rule(HttpMethod.GET, "/api/v1/alerts", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/incidents", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/incidents/*", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/fleet", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/notifications", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/oncall/health", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/silences", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/inbox", Role.VIEWER, "read"),
            rule(HttpMethod.GET, "/api/v1/history/**", Role.VIEWER, "read"),
            rule(HttpMethod.POST, "/api/v1/silences", Role.OPERATOR, "operator action"),
            rule(HttpMethod.DELETE, "/api/v1/silences/*", Role.OPERATOR, "operator action"),
            rule(HttpMethod.POST, "/api/v1/incidents/*/ack", Role.OPERATOR, "operator action"),
            rule(HttpMethod.GET, "/api/v1/audit", Role.ADMIN, "administration"),
            rule(HttpMethod.GET, "/api/v1/users", Role.ADMIN, "administration"));

    private ApiAccessRules() {}

    private static Rule rule(HttpMethod method, String pattern, Role role, String why) {
        return new Rule(method, pattern, role, why);
    }

    private static Rule pub(HttpMethod method, String pattern, String why) {
        return new Rule(method, pattern, null, why);
    }
}
