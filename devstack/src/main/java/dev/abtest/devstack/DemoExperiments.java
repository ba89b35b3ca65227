package dev.abtest.devstack;

import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The dev stack's demo experiments, one per case of the contract's rules (the statement is in
 * {@code DemoExperiments/seed.sql} beside this class). Dates are relative to the moment a row is
 * written.
 */
@UseClasspathSqlLocator
public interface DemoExperiments {
  /** Ids of the demo rows, the contract's ones first. */
  java.util.List<String> IDS =
      java.util.List.of(
          "exp_123456",
          "exp_active",
          "exp_stopped",
          "exp_completed",
          "exp_bad_config",
          "exp_expired",
          "exp_failed",
          "exp_three_way",
          "exp_scheduled");

  /**
   * Inserts the demo rows that are missing; with {@code reset} also puts the existing ones back in
   * their seed state. Rows that are not demo rows are never touched.
   *
   * @return how many rows were written (0 on a restart without reset)
   */
  @SqlUpdate
  int seed(@Bind("reset") boolean reset);
}
