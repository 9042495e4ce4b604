package io.medseg.mlops.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a model's stage history ({@code <name>/history.jsonl} in the registry, one JSON object per line with
 * these keys, {@code from} null for a registration): a registration
 * ({@code from} is null, {@code to} is {@link Stage#STAGING}) or a stage change.
 *
 * @param time when it happened
 * @param name the model name
 * @param version the version that changed
 * @param from the stage before, or null for a registration
 * @param to the stage after
 * @param user the {@code user.name} of the process that made the change
 */
public record HistoryEvent(Instant time, String name, int version, Stage from, Stage to, String user) {
    public HistoryEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(to, "to");
    }
}
