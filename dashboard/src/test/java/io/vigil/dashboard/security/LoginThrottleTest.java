package io.vigil.dashboard.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    /** A clock the test moves. */
    static final class ManualClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void locksAfterFreeAttemptsDoublesAndForgivesOnSuccess() {
        ManualClock clock = new ManualClock();
        LoginThrottle t = new LoginThrottle(clock, 3, Duration.ofSeconds(10), Duration.ofMinutes(2));
        for (int i = 0; i < 3; i++) {
            assertThat(t.lockedFor("Ana")).isZero();
            t.failed("ana");
        }
        assertThat(t.lockedFor("ANA")).isEqualTo(Duration.ofSeconds(10));
        assertThat(t.lockedFor("bo")).isZero();
        clock.now = clock.now.plusSeconds(10);
        assertThat(t.lockedFor("ana")).isZero();
        t.failed("ana");
        assertThat(t.lockedFor("ana")).isEqualTo(Duration.ofSeconds(20));
        for (int i = 0; i < 10; i++) t.failed("ana");
        assertThat(t.lockedFor("ana")).isEqualTo(Duration.ofMinutes(2));
        t.succeeded("ana");
        assertThat(t.lockedFor("ana")).isZero();
    }

    @Test
    void aQuietMaxLockoutStartsTheCountAfresh() {
        ManualClock clock = new ManualClock();
        LoginThrottle t = new LoginThrottle(clock, 2, Duration.ofSeconds(10), Duration.ofMinutes(1));
        t.failed("ana");
        t.failed("ana");
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        t.failed("ana");
        assertThat(t.lockedFor("ana")).isZero();
    }

    @Test
    void providerRefusesWithoutCheckingThePasswordWhileLocked() {
        ManualClock clock = new ManualClock();
        LoginThrottle t = new LoginThrottle(clock, 1, Duration.ofSeconds(30), Duration.ofMinutes(5));
        int[] checked = {0};
        ThrottledAuthenticationProvider p = new ThrottledAuthenticationProvider(new org.springframework.security
                .authentication.AuthenticationProvider() {
            @Override
            public org.springframework.security.core.Authentication authenticate(
                    org.springframework.security.core.Authentication a) {
                checked[0]++;
                if (!"right".equals(a.getCredentials())) {
                    throw new org.springframework.security.authentication.BadCredentialsException("bad");
                }
                return org.springframework.security.authentication.UsernamePasswordAuthenticationToken
                        .authenticated(a.getName(), null, Role.VIEWER.authorities());
            }

            @Override
            public boolean supports(Class<?> c) {
                return true;
            }
        }, t);
        var wrong = org.springframework.security.authentication.UsernamePasswordAuthenticationToken.unauthenticated("ana", "wrong");
        var right = org.springframework.security.authentication.UsernamePasswordAuthenticationToken.unauthenticated("ana", "right");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.authenticate(wrong))
                .isInstanceOf(org.springframework.security.authentication.BadCredentialsException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.authenticate(right))
                .isInstanceOf(org.springframework.security.authentication.LockedException.class)
                .hasMessageContaining("try again in 30 s");
        assertThat(checked[0]).isEqualTo(1);
        clock.now = clock.now.plusSeconds(30);
        assertThat(p.authenticate(right).isAuthenticated()).isTrue();
    }
}
