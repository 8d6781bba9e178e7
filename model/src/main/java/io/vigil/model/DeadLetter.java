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
 * is lost: {@code payload} holds them as text when they are valid UTF-8, {@code payloadBase64} always.
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

    @JsonProperty("schema")
    public String schema() {
        return "vigil.deadletter.v1";
    }

    public static DeadLetter of(Rejection rejection, String topic, Integer partition, Long offset,
                                Instant rejectedAt, byte[] original) {
        byte[] bytes = original == null ? new byte[0] : original;
        return new DeadLetter(rejection.reason(), rejection.detail(), topic, partition, offset, rejectedAt,
                utf8OrNull(bytes), Base64.getEncoder().encodeToString(bytes));
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
