package io.vigil.notify.incident;

/** Who owns a job, for routing: any of the three may be null. {@code endedAt} is 0 while the job runs. */
public record JobOwner(String team, String account, String namespace, long endedAt) {}
