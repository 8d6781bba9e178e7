package io.vigil.dashboard.security;

import java.util.Collection;
import java.util.List;

/** Which role a single-sign-on user's groups give: the highest role any of their groups is configured for. */
public final class OidcRoleMapping {

    private OidcRoleMapping() {}

    public static Role highest(Collection<String> groups, List<String> admins, List<String> operators,
                               List<String> viewers) {
        if (groups.stream().anyMatch(admins::contains)) return Role.ADMIN;
        if (groups.stream().anyMatch(operators::contains)) return Role.OPERATOR;
        if (groups.stream().anyMatch(viewers::contains)) return Role.VIEWER;
        return null;
    }
}
