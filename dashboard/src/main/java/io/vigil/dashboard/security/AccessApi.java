package io.vigil.dashboard.security;

import io.vigil.storage.query.AuditQueries;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who is calling ({@code GET /api/v1/me}), and for admins the users and tokens ({@code GET /api/v1/users}, names and
 * roles only) and the audit log ({@code GET /api/v1/audit[?actor=NAME][&limit=N]}).
 */
@RestController
@RequestMapping("/api/v1")
public class AccessApi {

    private final UserDirectory users;
    private final AuditQueries audit;

    public AccessApi(UserDirectory users, AuditQueries audit) {
        this.users = users;
        this.audit = audit;
    }

    @GetMapping("/me")
    public Map<String, Object> me(Authentication caller) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", caller.getName());
        m.put("role", roleOf(caller));
        return m;
    }

    @GetMapping("/users")
    public List<Map<String, Object>> users() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (UsersFile.Entry e : users.entries()) {
            out.add(Map.of("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT), "name", e.name(),
                    "role", e.role().label()));
        }
        return out;
    }

    @GetMapping("/audit")
    public ResponseEntity<?> audit(@RequestParam(required = false) String actor,
                                   @RequestParam(defaultValue = "500") int limit) throws Exception {
        if (limit < 1 || limit > 10_000) return ResponseEntity.badRequest().body(Map.of("error", "limit must be 1..10000"));
        return ResponseEntity.ok(audit.list(actor == null || actor.isBlank() ? null : actor, limit));
    }

    /** The highest role the authentication holds, in lower case; null for none. */
    public static String roleOf(Authentication a) {
        String best = null;
        for (Role r : Role.values()) {
            if (a != null && a.getAuthorities().stream().anyMatch(g -> g.getAuthority().equals("ROLE_" + r.name()))) {
                best = r.label();
            }
        }
        return best;
    }
}
