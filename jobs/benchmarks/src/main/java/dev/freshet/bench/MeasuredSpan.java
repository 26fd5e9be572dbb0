package dev.freshet.bench;

/** Told when a run passes 20 % of its input and when it passes 90 %: the span its rate covers. */
interface MeasuredSpan {

  MeasuredSpan NONE =
      new MeasuredSpan() {
        @Override
        public void started() {}

        @Override
        public void ended() {}
      };

  void started();

  void ended();
}
