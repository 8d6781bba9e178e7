package io.vigil.dashboard.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: after {@code freeAttempts} failed sign-ins for one name, that name is refused without
 * checking the password for a lockout that starts at {@code baseLockout} and doubles with each further failure, up
 * to {@code maxLockout}. A success clears the count; so does a quiet {@code maxLockout} after the last failure. The
 * key is the user name (whatever address the guesses come from); the cost is that a guesser can keep a known user out
 * for up to {@code maxLockout} at a time, which the audit log shows.
 */
public final class LoginThrottle {

    private record Failures(int count, Instant last) {}

    private final Clock clock;
    private final int freeAttempts;
    private final Duration baseLockout;
    private final Duration maxLockout;
    private final ConcurrentHashMap<String, Failures> failures = new ConcurrentHashMap<>();

    public LoginThrottle(Clock clock, int freeAttempts, Duration baseLockout, Duration maxLockout) {
        this.clock = clock;
        this.freeAttempts = freeAttempts;
        this.baseLockout = baseLockout;
        this.maxLockout = maxLockout;
    }

    /** How long this name must still wait before a password is checked again; zero when it may try now. */
    public Duration lockedFor(String name) {
        Failures f = failures.get(key(name));
        if (f == null || f.count() < freeAttempts) return Duration.ZERO;
        Duration left = Duration.between(clock.instant(), f.last().plus(lockout(f.count())));
        return left.isNegative() ? Duration.ZERO : left;
    }

    public void failed(String name) {
        Instant now = clock.instant();
        failures.compute(key(name), (k, f) -> f == null || now.isAfter(f.last().plus(maxLockout))
                ? new Failures(1, now) : new Failures(f.count() + 1, now));
        if (failures.size() > 100_000) {
            // Guesses at random names must not grow memory without bound: forget the ones long quiet.
            failures.entrySet().removeIf(e -> now.isAfter(e.getValue().last().plus(maxLockout)));
        }
    }

    public void succeeded(String name) {
        failures.remove(key(name));
    }

    private Duration lockout(int count) {
        int doublings = Math.min(count - freeAttempts, 20);
        Duration d = baseLockout.multipliedBy(1L << doublings);
        return d.compareTo(maxLockout) > 0 ? maxLockout : d;
    }

    private static String key(String name) {
        return name == null ? "" : name.toLowerCase(Locale.ROOT);
    }
}
