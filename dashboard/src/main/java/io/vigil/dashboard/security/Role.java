package io.vigil.dashboard.security;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What a signed-in person may do. Each role includes the ones before it: an operator can read everything a viewer
 * can, an admin can do everything an operator can. Users hold the expanded set of authorities (ROLE_VIEWER,
 * ROLE_OPERATOR, ...), so every check — Spring's URL rules, Vaadin's {@code @RolesAllowed}, the servlet's
 * {@code isUserInRole} — sees the same thing without a role hierarchy.
 */
public enum Role {
    /** Reads every view and every GET endpoint. */
    VIEWER,
    /** Also acknowledges incidents, creates and ends silences and maintenance windows. */
    OPERATOR,
    /** Also sees users and the audit log. */
    ADMIN;

    /** Names for {@code @RolesAllowed}, which takes constants. */
    public static final String VIEWER_NAME = "VIEWER";
    public static final String OPERATOR_NAME = "OPERATOR";
    public static final String ADMIN_NAME = "ADMIN";

    public List<GrantedAuthority> authorities() {
        List<GrantedAuthority> out = new ArrayList<>();
        for (Role r : values()) {
            if (r.ordinal() <= ordinal()) out.add(new SimpleGrantedAuthority("ROLE_" + r.name()));
        }
        return out;
    }

    /** {@code viewer}, {@code operator} or {@code admin}, any case; a clear error otherwise. */
    public static Role parse(String text) {
        if (text != null) {
            for (Role r : values()) {
                if (r.name().equalsIgnoreCase(text.trim())) return r;
            }
        }
        throw new IllegalArgumentException("role must be viewer, operator or admin, was '" + text + "'");
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
