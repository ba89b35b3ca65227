package dev.abtest.store;

import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import java.time.Instant;

/** What the conditional activation returns: the row as written, the status it left, and when. */
public record ActivatedRow(
    Experiment experiment, ExperimentStatus previousStatus, Instant activatedAt) {}
