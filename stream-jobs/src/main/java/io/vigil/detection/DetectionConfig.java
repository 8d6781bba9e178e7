package io.vigil.detection;

import io.vigil.detection.facility.FacilityConfig;
import io.vigil.detection.health.HostHealthConfig;
import io.vigil.detection.job.StragglerConfig;
import io.vigil.detection.job.SyncStallConfig;
import io.vigil.detection.thermal.ThermalConfig;
import io.vigil.model.Topics;
import java.io.Serializable;
import java.time.Duration;

/**
 * Everything the detection job needs besides its source and sinks.
 *
 * @param maxOutOfOrderness how far behind the median host's newest sample a sample may arrive and still count
 * @param idleTimeout       a source partition silent this long stops holding the watermark back
 * @param maxFutureSkew     samples stamped further ahead of this machine's clock are refused
 * @param jobWindow         the window over which a job's ranks are compared
 * @param jobTimeout        a job without any record for this long is forgotten
 * @param incidentGrace     how long a resolved incident still takes late consequences
 * @param incidentHold      how long past its detection, in event time, an alert waits for a cause detected after
 *                          it before the correlator judges it (0: only until the watermark passes it)
 * @param lateTolerance     the hard limit: a record up to this far behind the watermark is still judged (a host
 *                          whose clock runs behind, or whose collector delivers in bursts, is not cut off); job
 *                          windows wait for a job's late reporters, learned per job, up to this; beyond it a record
 *                          is dead-lettered as LATE
 * @param repageQuiet       how long an incident's root must stay resolved before its resolve is sent: the same
 *                          problem firing again within this time continues the incident (counted as an excursion)
 *                          instead of paging again (0: resolve at once, page again on every recurrence)
 */
public record DetectionConfig(Topics topics, Duration maxOutOfOrderness, Duration idleTimeout,
                              Duration maxFutureSkew, ThermalConfig thermal, Duration jobWindow, Duration jobTimeout,
                              StragglerConfig straggler, SyncStallConfig stall, HostHealthConfig health,
                              FacilityConfig facility, Duration incidentGrace, Duration lateTolerance,
                              Duration incidentHold, Duration repageQuiet)
        implements Serializable {

    /** Without a late tolerance of its own: the default 30 s. */
    public DetectionConfig(Topics topics, Duration maxOutOfOrderness, Duration idleTimeout, Duration maxFutureSkew,
                           ThermalConfig thermal, Duration jobWindow, Duration jobTimeout, StragglerConfig straggler,
                           SyncStallConfig stall, HostHealthConfig health, FacilityConfig facility,
                           Duration incidentGrace) {
        this(topics, maxOutOfOrderness, idleTimeout, maxFutureSkew, thermal, jobWindow, jobTimeout, straggler, stall,
                health, facility, incidentGrace, DEFAULT_LATE_TOLERANCE, Duration.ZERO, DEFAULT_REPAGE_QUIET);
    }

    public static final Duration DEFAULT_LATE_TOLERANCE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REPAGE_QUIET = Duration.ofMinutes(10);

    public DetectionConfig {
        if (maxOutOfOrderness.isNegative()) throw new IllegalArgumentException("max-out-of-orderness must be >= 0");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) throw new IllegalArgumentException("idle-timeout must be > 0");
        if (maxFutureSkew.isNegative()) throw new IllegalArgumentException("max-future-skew must be >= 0");
        if (jobWindow.toMillis() < 100) throw new IllegalArgumentException("detection.job-window must be >= 100 ms");
        if (lateTolerance == null || lateTolerance.isNegative()) {
            throw new IllegalArgumentException("detection.late-tolerance must be >= 0");
        }
        if (incidentHold == null || incidentHold.isNegative() || incidentHold.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("detection.incident-hold must be between 0 and 10m");
        }
        if (repageQuiet == null || repageQuiet.isNegative() || repageQuiet.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("detection.repage-quiet must be between 0 and 24h");
        }
        if (jobTimeout.compareTo(jobWindow.multipliedBy(10)) < 0) {
            throw new IllegalArgumentException("detection.job-timeout must be at least 10 job windows");
        }
    }

    public static DetectionConfig defaults() {
        return new DetectionConfig(Topics.defaults(), Duration.ofSeconds(2), Duration.ofSeconds(10),
                Duration.ofMinutes(5), ThermalConfig.defaults(), Duration.ofSeconds(1), Duration.ofMinutes(5),
                StragglerConfig.defaults(), SyncStallConfig.defaults(), HostHealthConfig.defaults(),
                FacilityConfig.defaults(), Duration.ofMinutes(5));
    }

    public DetectionConfig withTopics(Topics newTopics) {
        return new DetectionConfig(newTopics, maxOutOfOrderness, idleTimeout, maxFutureSkew, thermal, jobWindow,
                jobTimeout, straggler, stall, health, facility, incidentGrace, lateTolerance, incidentHold,
                repageQuiet);
    }

    public DetectionConfig withMaxFutureSkew(Duration skew) {
        return new DetectionConfig(topics, maxOutOfOrderness, idleTimeout, skew, thermal, jobWindow,
                jobTimeout, straggler, stall, health, facility, incidentGrace, lateTolerance, incidentHold,
                repageQuiet);
    }

    /** The same, with another re-page quiet time (0 resolves incidents at once, as tests of resolve timing want). */
    public DetectionConfig withRepageQuiet(Duration quiet) {
        return new DetectionConfig(topics, maxOutOfOrderness, idleTimeout, maxFutureSkew, thermal, jobWindow,
                jobTimeout, straggler, stall, health, facility, incidentGrace, lateTolerance, incidentHold, quiet);
    }
}
