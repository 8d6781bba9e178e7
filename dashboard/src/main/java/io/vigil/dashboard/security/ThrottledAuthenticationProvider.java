package io.vigil.dashboard.security;

import java.time.Duration;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;

/** Password sign-in (form and HTTP Basic) through a {@link LoginThrottle}. */
public final class ThrottledAuthenticationProvider implements AuthenticationProvider {

    private final AuthenticationProvider passwords;
    private final LoginThrottle throttle;

    public ThrottledAuthenticationProvider(AuthenticationProvider passwords, LoginThrottle throttle) {
        this.passwords = passwords;
        this.throttle = throttle;
    }

    @Override
    public Authentication authenticate(Authentication authentication) throws AuthenticationException {
        String name = authentication.getName();
        Duration wait = throttle.lockedFor(name);
        if (!wait.isZero()) {
            throw new LockedException("Too many failed sign-ins for " + name + "; try again in "
                    + Math.max(1, wait.toSeconds()) + " s");
        }
        try {
            Authentication result = passwords.authenticate(authentication);
            throttle.succeeded(name);
            return result;
        } catch (BadCredentialsException e) {
            // Unknown users count too (Spring reports them as bad credentials), so names cannot be probed for free.
            throttle.failed(name);
            throw e;
        }
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
