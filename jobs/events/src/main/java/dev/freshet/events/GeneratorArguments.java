package dev.freshet.events;

/** Checks of the generators' builder arguments, with messages that name the argument. */
final class GeneratorArguments {

  private GeneratorArguments() {}

  static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return value;
  }

  static double share(String name, double value) {
    if (value < 0 || value > 1) {
      throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
    }
    return value;
  }
}
