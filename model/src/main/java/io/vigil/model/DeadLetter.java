package io.vigil.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;

/**
 * A record that was refused, on {@link Topics#deadLetter()}, with the reason and the original bytes, so nothing
 * is lost: {@code payloadBase64} always holds them; {@code payload} holds them as text too when they are valid UTF-8
 * and at most {@link #MAX_TEXT_PAYLOAD_BYTES} long. A dead letter can be larger than the record it carries (a
 * record of Kafka's default 1 MB limit becomes 1.4 MB in base64), so the dead-letter topic and its producers allow
 * {@link #MAX_RECORD_BYTES}: a large refused record must not stop the job that refuses it (found by
 * {@code ./vigil chaos} R8: a 900 KB record's dead letter exceeded 1 MB and the detection job restarted in a loop).
 */
public record DeadLetter(
        RejectReason reason,
        String detail,
        String sourceTopic,
        Integer sourcePartition,
        Long sourceOffset,
        Instant rejectedAt,
        String payload,
        String payloadBase64) {

    /** The largest dead letter, in bytes: the dead-letter topic's {@code max.message.bytes}, its producers' limit. */
    public static final int MAX_RECORD_BYTES = 8 << 20;

    /** Larger originals are kept in base64 only. */
    public static final int MAX_TEXT_PAYLOAD_BYTES = 256 << 10;

    @JsonProperty("schema")
    public String schema() {
        return "vigil.deadletter.v1";
    }

    public static DeadLetter of(Rejection rejection, String topic, Integer partition, Long offset,
                                Instant rejectedAt, byte[] original) {
        byte[] bytes = original == null ? new byte[0] : original;
        return new DeadLetter(rejection.reason(), rejection.detail(), topic, partition, offset, rejectedAt,
                bytes.length <= MAX_TEXT_PAYLOAD_BYTES ? utf8OrNull(bytes) : null,
                Base64.getEncoder().encodeToString(bytes));
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
