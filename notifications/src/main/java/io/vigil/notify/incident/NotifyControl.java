package io.vigil.notify.incident;

import io.vigil.model.JobEvent;
import io.vigil.model.Silence;

/**
 * What every notifier instance must know, broadcast to all of them: silences, maintenance windows and
 * acknowledgements from {@code vigil.silences}, and who owns each job from {@code vigil.jobs}. One of the two is set.
 */
public record NotifyControl(Silence silence, JobEvent job) {

    public static NotifyControl of(Silence s) {
        return new NotifyControl(s, null);
    }

    public static NotifyControl of(JobEvent j) {
        return new NotifyControl(null, j);
    }
}
