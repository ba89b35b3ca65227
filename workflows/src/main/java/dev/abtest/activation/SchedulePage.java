package dev.abtest.activation;

import java.util.List;

/** A page of pending schedules, soonest first; {@code next} is null on the last page. */
public record SchedulePage(List<ScheduledActivation> items, ScheduleCursor next) {
  public SchedulePage {
    items = List.copyOf(items);
  }
}
