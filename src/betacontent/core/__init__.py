"""What every layer stands on: positions in a file, settings, workers, atomic writes."""
