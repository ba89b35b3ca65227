package dev.abtest.starter.cli;

import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Positional arguments and {@code --name value} options of one command. */
record CommandLine(List<String> positional, Map<String, String> options) {

  /**
   * Parses {@code args}; an option not in {@code known}, or one without a value, is a usage error.
   */
  static CommandLine parse(List<String> args, List<String> known) {
    List<String> positional = new ArrayList<>();
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.startsWith("--")) {
        String name = arg;
        String value = null;
        int eq = arg.indexOf('=');
        if (eq > 0) {
          name = arg.substring(0, eq);
          value = arg.substring(eq + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        }
        if (!known.contains(name)) {
          throw new UsageException("unknown option " + name);
        }
        if (value == null) {
          throw new UsageException(name + " needs a value");
        }
        options.put(name, value);
      } else {
        positional.add(arg);
      }
    }
    return new CommandLine(positional, options);
  }

  Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  Duration duration(String name, Duration defaultValue) {
    try {
      return new Env(options).duration(name, defaultValue);
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
  }

  int integer(String name, int defaultValue, int min, int max) {
    try {
      return new Env(options).integer(name, defaultValue, min, max);
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
