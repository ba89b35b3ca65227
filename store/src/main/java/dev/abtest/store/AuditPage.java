package dev.abtest.store;

import java.util.List;
import java.util.Optional;

/** One page of an experiment's activation history, newest first, and where the next page starts. */
public record AuditPage(List<AuditRecord> records, Optional<AuditCursor> next) {
  public AuditPage {
    records = List.copyOf(records);
  }
}
