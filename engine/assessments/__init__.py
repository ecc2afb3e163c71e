"""Several views and several dates of one site: perspectives, changes, comparisons."""
