package io.vigil.storage.writer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One batch's sums per entity and time bucket, the common part of {@link GpuRollups} and {@link DeviceRollups}.
 *
 * @param <K> the entity and bucket
 * @param <S> the sums kept for it
 */
abstract class BucketSums<K, S> {

    protected final Map<K, S> sums = new HashMap<>();

    /** The bucket a key is in, epoch milliseconds. */
    protected abstract long bucketOf(K key);

    int size() {
        return sums.size();
    }

    /** The buckets this batch touched, epoch milliseconds. */
    Set<Long> buckets() {
        Set<Long> out = new HashSet<>();
        sums.keySet().forEach(k -> out.add(bucketOf(k)));
        return out;
    }
}
