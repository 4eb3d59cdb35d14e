"""Progress of long work: bootstrap resamples, permutations, Monte Carlo samples, compared positions.

Every function that can run long takes ``progress``:

- ``None`` or ``False`` (the default): nothing is shown;
- ``True``: a tqdm bar on stderr when tqdm is installed (``tqdm.auto``: a widget in Jupyter),
  else one line on stderr rewritten in place;
- a callable: called as ``progress(done, total, bytes_done)`` with the units done of all (the
  plan so far: Monte Carlo's grows once its pilot has measured the spread) and the input bytes
  read (0 for work that reads no input), at the start (done = 0), at most 10 times a second, and at
  the end (done = total). An exception it raises stops the work and reaches the caller.
"""
import sys


class _Line:
    """Progress as one line on stderr, rewritten in place: ``label: done/total unit``."""

    def __init__(self, label, unit):
        self.label, self.unit = label, unit

    def __call__(self, done, total, bytes_done):
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\r{self.label}: {done}/{total} {self.unit}{end}")
        sys.stderr.flush()


class _Bar:
    """Progress as a tqdm bar, made at the first report and closed at the last."""

    def __init__(self, tqdm, label, unit):
        self.tqdm, self.label, self.unit, self.bar = tqdm, label, unit, None

    def __call__(self, done, total, bytes_done):
        if self.bar is None:
            self.bar = self.tqdm(total=total, desc=self.label, unit=self.unit, file=sys.stderr)
        self.bar.total = total
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()
            self.bar = None


def _reporter(function, progress, label, unit):
    """What the core calls for ``progress`` (see the module): None, a bar or line, or the callable."""
    if progress is None or progress is False:
        return None
    if progress is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return _Line(label, unit)
        return _Bar(tqdm, label, unit)
    if callable(progress):
        return progress
    raise TypeError(f"{function}: progress = {progress!r}, but it must be None, True, False or a callable "
                    "taking (done, total, bytes_done)")
