package dev.abtest.activation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one mapping of what the write did to an outcome. */
class ActivationResultTest {
  private static final String ID = "exp_write";

  @Test
  void aWriteOfThisRunIsActivated() {
    WriteResult written = Samples.written(ID);

    assertThat(ActivationResult.ofWrite(ID, written))
        .hasValueSatisfying(
            result -> {
              assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
              assertThat(result.previousStatus()).isEqualTo(written.previousStatus());
              assertThat(result.activatedAt()).isEqualTo(written.activatedAt());
            });
    WriteResult lostReply =
        WriteResult.alreadyWrittenByThisRun(
            written.experiment(), written.previousStatus(), written.activatedAt());
    assertThat(ActivationResult.ofWrite(ID, lostReply).orElseThrow().outcome())
        .isEqualTo(Outcome.ACTIVATED);
  }

  @Test
  void aTransitionWhoseRowWasDeletedSinceAndAMissingRowAreNotFound() {
    WriteResult deleted =
        WriteResult.alreadyWrittenByThisRun(null, ExperimentStatus.PENDING, Samples.ACTIVATED_AT);

    assertThat(ActivationResult.ofWrite(ID, deleted).orElseThrow().outcome())
        .isEqualTo(Outcome.NOT_FOUND);
    assertThat(ActivationResult.ofWrite(ID, WriteResult.notFound()).orElseThrow().outcome())
        .isEqualTo(Outcome.NOT_FOUND);
  }

  @Test
  void aChangedRowIsNoOutcomeYet() {
    WriteResult changed = Samples.rowChanged(Samples.experiment(ID, ExperimentStatus.STOPPED), 1);

    assertThat(ActivationResult.ofWrite(ID, changed)).isEmpty();
  }
}
