package io.vigil.dashboard.security;

import io.vigil.storage.query.AuditQueries;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.AbstractAuthenticationFailureEvent;
import org.springframework.security.authentication.event.InteractiveAuthenticationSuccessEvent;
import org.springframework.security.authorization.event.AuthorizationDeniedEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Service;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The audit log (table {@code audit_event}): interactive sign-ins and failed ones, sign-outs, every operator action
 * with its outcome, and refused attempts at operator or admin endpoints. A row is written after the thing happened;
 * if the database cannot take it, the action stands and the row goes to the dashboard's log instead (marked AUDIT),
 * so an outage of the audit table never blocks an operator in an incident.
 */
@Service
public class AuditLog {
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final AuditQueries queries;

    public AuditLog(AuditQueries queries) {
        this.queries = queries;
    }

    /** Records an action of the current user (or {@code anonymous}). */
    public void action(String action, String target, String outcome, String detail) {
        Authentication a = SecurityContextHolder.getContext().getAuthentication();
        write(a == null ? "anonymous" : a.getName(), action, target, outcome, remoteAddr(null), detail);
    }

    @EventListener
    public void signedIn(InteractiveAuthenticationSuccessEvent e) {
        write(e.getAuthentication().getName(), "SIGN_IN", null, "OK", remoteAddr(e.getAuthentication()), null);
    }

    @EventListener
    public void signInFailed(AbstractAuthenticationFailureEvent e) {
        write(String.valueOf(e.getAuthentication().getName()), "SIGN_IN", null, "FAILED",
                remoteAddr(e.getAuthentication()), e.getException().getMessage());
    }

    /** Refusals of anything above read access (a viewer trying to acknowledge); refused reads are not worth a row. */
    @EventListener
    public void denied(AuthorizationDeniedEvent<?> e) {
        Object o = e.getObject();
        if (o instanceof HttpServletRequest r && !"GET".equals(r.getMethod())) {
            Authentication a = e.getAuthentication().get();
            write(a == null ? "anonymous" : a.getName(), r.getMethod() + " " + r.getRequestURI(), null, "DENIED",
                    r.getRemoteAddr(), null);
        }
    }

    private void write(String actor, String action, String target, String outcome, String remote, String detail) {
        try {
            queries.record(actor, action, target, outcome, remote, detail);
        } catch (Exception ex) {
            LOG.error("AUDIT (not stored: {}) actor={} action={} target={} outcome={} from={} detail={}",
                    ex.getMessage(), actor, action, target, outcome, remote, detail);
        }
    }

    private static String remoteAddr(Authentication a) {
        if (a != null && a.getDetails() instanceof WebAuthenticationDetails d) {
            return d.getRemoteAddress();
        }
        if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes s) {
            return s.getRequest().getRemoteAddr();
        }
        return null;
    }
}
