package io.vigil.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.auth.AnonymousAllowed;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.http.HttpMethod;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** Every endpoint and every view carries an access rule; a new one without a rule fails here. */
class AccessRulesTest {

    record Endpoint(HttpMethod method, String path, String where) {}

    @Test
    void everyApiEndpointIsCoveredByARule() throws Exception {
        List<Endpoint> endpoints = endpoints();
        assertThat(endpoints).hasSizeGreaterThan(15);
        AntPathMatcher matcher = new AntPathMatcher();
        List<String> uncovered = new ArrayList<>();
        for (Endpoint e : endpoints) {
            boolean covered = ApiAccessRules.RULES.stream()
                    .anyMatch(r -> r.method().equals(e.method()) && matcher.match(r.pattern(), e.path()));
            if (!covered) uncovered.add(e.method() + " " + e.path() + " (" + e.where() + ")");
        }
        assertThat(uncovered).as("endpoints without an access rule in ApiAccessRules").isEmpty();
    }

    @Test
    void writesNeedTheOperatorOrAdminRoleExceptTheSignedInbox() {
        for (ApiAccessRules.Rule r : ApiAccessRules.RULES) {
            if (r.method() == HttpMethod.GET) continue;
            if (r.pattern().equals("/api/v1/inbox")) {
                assertThat(r.isPublic()).isTrue();
                continue;
            }
            assertThat(r.role()).as(r.method() + " " + r.pattern()).isIn(Role.OPERATOR, Role.ADMIN);
        }
        assertThat(ApiAccessRules.RULES.stream().filter(ApiAccessRules.Rule::isPublic).map(ApiAccessRules.Rule::pattern))
                .allMatch(p -> p.startsWith("/actuator/health") || p.equals("/actuator/info") || p.equals("/api/v1/inbox"));
    }

    @Test
    void everyViewHasAnAccessAnnotationAndOnlySignInIsAnonymous() throws Exception {
        ClassPathScanningCandidateComponentProvider scan = new ClassPathScanningCandidateComponentProvider(false);
        scan.addIncludeFilter(new AnnotationTypeFilter(Route.class));
        List<String> views = new ArrayList<>();
        for (BeanDefinition d : scan.findCandidateComponents("io.vigil.dashboard")) {
            Class<?> c = Class.forName(d.getBeanClassName());
            views.add(c.getSimpleName());
            boolean annotated = c.isAnnotationPresent(RolesAllowed.class) || c.isAnnotationPresent(PermitAll.class)
                    || c.isAnnotationPresent(AnonymousAllowed.class);
            assertThat(annotated).as(c.getName() + " has an access annotation").isTrue();
            if (c.isAnnotationPresent(AnonymousAllowed.class)) {
                assertThat(c.getSimpleName()).isEqualTo("LoginView");
            }
        }
        assertThat(views).contains("OverviewView", "IncidentsView", "IncidentView", "JobsView", "JobView",
                "GpuView", "FacilityView", "CapacityView", "AdminView", "LoginView");
    }

    /** Every controller method's endpoint, its path as declared ({@code {id}}, {@code {scope:racks|rows}}). */
    static List<Endpoint> declared() throws Exception {
        ClassPathScanningCandidateComponentProvider scan = new ClassPathScanningCandidateComponentProvider(false);
        scan.addIncludeFilter(new AnnotationTypeFilter(RestController.class));
        List<Endpoint> out = new ArrayList<>();
        for (BeanDefinition d : scan.findCandidateComponents("io.vigil.dashboard")) {
            Class<?> c = Class.forName(d.getBeanClassName());
            RequestMapping base = c.getAnnotation(RequestMapping.class);
            String prefix = base == null || base.value().length == 0 ? "" : base.value()[0];
            for (Method m : c.getDeclaredMethods()) {
                add(out, c, m, HttpMethod.GET, prefix, m.getAnnotation(GetMapping.class) == null ? null
                        : m.getAnnotation(GetMapping.class).value());
                add(out, c, m, HttpMethod.POST, prefix, m.getAnnotation(PostMapping.class) == null ? null
                        : m.getAnnotation(PostMapping.class).value());
                add(out, c, m, HttpMethod.DELETE, prefix, m.getAnnotation(DeleteMapping.class) == null ? null
                        : m.getAnnotation(DeleteMapping.class).value());
                add(out, c, m, HttpMethod.PUT, prefix, m.getAnnotation(PutMapping.class) == null ? null
                        : m.getAnnotation(PutMapping.class).value());
            }
        }
        return out;
    }

    /** Every endpoint with a concrete path, as a request would have it. */
    static List<Endpoint> endpoints() throws Exception {
        List<Endpoint> out = new ArrayList<>();
        for (Endpoint e : declared()) {
            // {name} and {name:alt1|alt2} become a concrete segment.
            String concrete = e.path().replaceAll("\\{[^}:]+:([^|}]+)[^}]*}", "$1").replaceAll("\\{[^}]+}", "x1");
            out.add(new Endpoint(e.method(), concrete, e.where()));
        }
        return out;
    }

    private static void add(List<Endpoint> out, Class<?> c, Method m, HttpMethod method, String prefix, String[] paths) {
        if (paths == null) return;
        for (String p : paths.length == 0 ? new String[] {""} : paths) {
            out.add(new Endpoint(method, prefix + p, c.getSimpleName() + "." + m.getName()));
        }
    }
}
