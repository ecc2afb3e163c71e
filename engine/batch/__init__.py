"""Many cases at once: batch runs, their files, executors, the portfolio summary, sweeps."""
