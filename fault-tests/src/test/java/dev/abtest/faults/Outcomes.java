package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks every load ends with, printed before they are asserted. */
final class Outcomes {
  /** 200 activated (or joined the run that did), 409 already active, 202 still running. */
  static final Set<String> ACCEPTABLE = Set.of("200", "202", "409");

  private Outcomes() {}

  /**
   * Every request was answered with 200, 202 or 409; every activation run closed within {@code
   * settle}; every experiment is ACTIVE with exactly one audit row.
   */
  static void assertEachActivatedExactlyOnce(
      String test,
      FaultStack stack,
      String prefix,
      List<String> experiments,
      ActivationLoad load,
      Map<String, Long> statuses,
      Duration settle)
      throws SQLException, InterruptedException {
    long t0 = System.nanoTime();
    List<String> open = stack.awaitClosed(experiments, settle);
    long settledMillis = (System.nanoTime() - t0) / 1_000_000;
    FaultStack.Counts counts = stack.counts(prefix);
    long unanswered =
        experiments.stream().filter(id -> !load.statusesByExperiment().containsKey(id)).count();
    System.out.printf(
        "%s: requests=%d answered=%d statuses=%s experiments=%d runsStillOpen=%d (waited %d ms)"
            + " active=%d auditRows=%d experimentsAudited=%d experimentsAuditedTwice=%d"
            + " experimentsWithoutAnswer=%d%n",
        test,
        load.total(),
        load.answered(),
        statuses,
        experiments.size(),
        open.size(),
        settledMillis,
        counts.active(),
        counts.auditRows(),
        counts.experimentsAudited(),
        counts.experimentsAuditedTwice(),
        unanswered);

    open.stream()
        .limit(5)
        .forEach(id -> System.out.println(test + ": still open: " + stack.describeOpen(id)));
    assertThat(statuses.keySet()).as("HTTP answers (no 5xx, none lost)").isSubsetOf(ACCEPTABLE);
    assertThat(load.answered()).isEqualTo(load.total());
    assertThat(unanswered).isZero();
    assertThat(open).as("activation runs still open after %s", settle).isEmpty();
    assertThat(counts.active()).as("experiments ACTIVE").isEqualTo(experiments.size());
    assertThat(counts.auditRows()).as("audit rows (transitions)").isEqualTo(experiments.size());
    assertThat(counts.experimentsAudited()).isEqualTo(experiments.size());
    assertThat(counts.experimentsAuditedTwice()).as("double transitions").isZero();
  }
}
