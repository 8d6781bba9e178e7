package io.vigil.dashboard.security;

import com.vaadin.flow.spring.security.VaadinAwareSecurityContextHolderStrategyConfiguration;
import com.vaadin.flow.spring.security.VaadinSecurityConfigurer;
import io.vigil.dashboard.security.ui.LoginView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.authorization.AuthorizationEventPublisher;
import org.springframework.security.authorization.SpringAuthorizationEventPublisher;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.mapping.GrantedAuthoritiesMapper;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;
import org.springframework.security.oauth2.core.user.OAuth2UserAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * Sign-in and roles. Two filter chains:
 * <ol>
 * <li><b>API</b> ({@code /api/**}, {@code /actuator/**}): stateless; a request authenticates itself with HTTP Basic or
 * {@code Authorization: Bearer <token>}, never with the console's session cookie. Because no cookie is honoured,
 * a forged cross-site request carries no credentials, so CSRF tokens are not needed there. Rules per endpoint from
 * {@link ApiAccessRules}; anything unlisted is refused.</li>
 * <li><b>Console</b> (everything else): Vaadin's configuration — form sign-in on {@code /login} (and single sign-on by
 * OIDC when a client registration is configured), CSRF on, sessions that expire, and {@code @RolesAllowed} on every
 * view.</li>
 * </ol>
 * Password sign-ins (form and Basic) are throttled per user name ({@link LoginThrottle}).
 */
@Configuration
@EnableWebSecurity
@Import(VaadinAwareSecurityContextHolderStrategyConfiguration.class)
public class SecurityConfig {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityConfig.class);

    @Bean
    BCryptPasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    @Bean
    UserDirectory userDirectory(@Value("${vigil.dashboard.users-file:}") String usersFile,
                                @Value("${vigil.dashboard.admin-password:}") String adminPassword,
                                BCryptPasswordEncoder encoder) {
        UserDirectory users = new UserDirectory(usersFile == null || usersFile.isBlank() ? null : Path.of(usersFile),
                adminPassword, encoder);
        if (users.entries().stream().noneMatch(e -> e.kind() == UsersFile.Kind.USER)) {
            LOG.warn("No dashboard users: set vigil.dashboard.admin-password or add users with "
                    + "./vigil user add NAME --role ROLE (users file: {})", usersFile == null || usersFile.isBlank() ? "none set" : usersFile);
        }
        return users;
    }

    @Bean
    LoginThrottle loginThrottle(@Value("${vigil.dashboard.login.free-attempts}") int freeAttempts,
                                @Value("${vigil.dashboard.login.lockout}") Duration lockout,
                                @Value("${vigil.dashboard.login.max-lockout}") Duration maxLockout) {
        return new LoginThrottle(Clock.systemUTC(), freeAttempts, lockout, maxLockout);
    }

    @Bean
    AuthenticationProvider passwordSignIn(UserDirectory users, BCryptPasswordEncoder encoder, LoginThrottle throttle) {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(users);
        passwords.setPasswordEncoder(encoder);
        return new ThrottledAuthenticationProvider(passwords, throttle);
    }

    /** Publishes refusals, so the audit log sees a viewer trying an operator action. */
    @Bean
    AuthorizationEventPublisher authorizationEventPublisher(ApplicationEventPublisher publisher) {
        return new SpringAuthorizationEventPublisher(publisher);
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, UserDirectory users, AuthenticationProvider passwordSignIn)
            throws Exception {
        http.securityMatcher("/api/**", "/actuator/**")
                .authenticationProvider(passwordSignIn)
                .authorizeHttpRequests(auth -> {
                    for (ApiAccessRules.Rule r : ApiAccessRules.RULES) {
                        var url = auth.requestMatchers(r.method(), r.pattern());
                        if (r.isPublic()) url.permitAll();
                        else url.hasRole(r.role().name());
                    }
                    auth.anyRequest().denyAll();
                })
                .httpBasic(basic -> basic.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
                .addFilterBefore(new ApiTokenFilter(users), BasicAuthenticationFilter.class)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .securityContext(c -> c.securityContextRepository(new RequestAttributeSecurityContextRepository()))
                .exceptionHandling(e -> e.authenticationEntryPoint(new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED)))
                // No session cookie is honoured on this chain (see the class comment), so there is nothing to forge.
                .csrf(csrf -> csrf.disable());
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain console(HttpSecurity http, AuthenticationProvider passwordSignIn, AuditLog audit,
                                ObjectProvider<ClientRegistrationRepository> oidc, GrantedAuthoritiesMapper oidcRoles)
            throws Exception {
        http.authenticationProvider(passwordSignIn);
        http.with(VaadinSecurityConfigurer.vaadin(), vaadin -> {
            vaadin.loginView(LoginView.class, "/login?signed-out");
            vaadin.addLogoutHandler((request, response, authentication) -> {
                if (authentication != null) {
                    audit.action("SIGN_OUT", null, "OK", null);
                }
            });
        });
        if (oidc.getIfAvailable() != null) {
            // Single sign-on: the login view links to /oauth2/authorization/<registration>; roles come from a claim.
            http.oauth2Login(o -> o.loginPage("/login").userInfoEndpoint(u -> u.userAuthoritiesMapper(oidcRoles)));
        }
        return http.build();
    }

    /**
     * OIDC roles: the values of the claim {@code vigil.dashboard.oidc.roles-claim} (default {@code groups}) are matched
     * against the groups configured for each role; the highest match wins. Someone in none of them signs in with no
     * role and sees nothing but the sign-in page.
     */
    @Bean
    GrantedAuthoritiesMapper oidcRoles(@Value("${vigil.dashboard.oidc.roles-claim}") String claim,
                                       @Value("${vigil.dashboard.oidc.admin-groups}") List<String> admins,
                                       @Value("${vigil.dashboard.oidc.operator-groups}") List<String> operators,
                                       @Value("${vigil.dashboard.oidc.viewer-groups}") List<String> viewers) {
        return authorities -> {
            Set<String> groups = new HashSet<>();
            for (GrantedAuthority a : authorities) {
                Object value = a instanceof OidcUserAuthority o ? o.getAttributes().get(claim)
                        : a instanceof OAuth2UserAuthority o2 ? o2.getAttributes().get(claim) : null;
                if (value instanceof Collection<?> c) c.forEach(v -> groups.add(String.valueOf(v)));
                else if (value != null) groups.add(String.valueOf(value));
            }
            Role role = OidcRoleMapping.highest(groups, admins, operators, viewers);
            return role == null ? List.of() : new ArrayList<>(role.authorities());
        };
    }
}
